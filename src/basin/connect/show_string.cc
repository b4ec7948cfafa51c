// DataFrame.show() and _repr_html_: the first rows rendered as Spark's Dataset.showString /
// htmlString render them, returned as one string cell.

#include "basin/connect/relation_queries.h"
#include "basin/function/cast.h"

namespace basin::connect {

namespace {

struct ShownRows {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
  bool has_more = false;
};

// Spark truncates a cell longer than `truncate` to truncate - 3 characters and "...".
std::string Truncate(const std::string& text, int truncate) {
  if (truncate <= 0 || static_cast<int>(text.size()) <= truncate) return text;
  if (truncate < 4) return text.substr(0, truncate);
  return text.substr(0, truncate - 3) + "...";
}

Result<ShownRows> ShowRows(const proto::Relation& input, int num_rows, int truncate,
                           PlanTranslator& t) {
  ASSIGN_OR_RAISE(auto from, t.FromRelation(input));
  auto q = SelectAll(std::move(from));
  q->limit = IntegerLiteralExpr(static_cast<int64_t>(num_rows) + 1);
  ASSIGN_OR_RAISE(auto table, RunQuery(t, *q));
  ShownRows out;
  // Spark truncates the cells only; column names are shown whole.
  for (const auto& field : table->schema()->fields()) out.headers.push_back(field->name());
  int64_t shown = std::min<int64_t>(num_rows, table->num_rows());
  out.has_more = table->num_rows() > num_rows;
  out.rows.assign(shown, {});
  function::EvalContext context;
  if (auto tz = t.session().GetConfig("spark.sql.session.timeZone")) {
    context.session_time_zone = *tz;
  }
  for (int c = 0; c < table->num_columns(); ++c) {
    int64_t row = 0;
    for (const auto& chunk : table->column(c)->chunks()) {
      for (int64_t i = 0; i < chunk->length() && row < shown; ++i, ++row) {
        std::string text = "NULL";
        if (!chunk->IsNull(i)) {
          ASSIGN_OR_RAISE(text, function::ValueToString(*chunk, i, context));
        }
        out.rows[row].push_back(Truncate(text, truncate));
      }
    }
  }
  return out;
}

std::string MoreRows(int num_rows) {
  // Spark ends the text here, without a newline.
  return "only showing top " + std::to_string(num_rows) + (num_rows == 1 ? " row" : " rows");
}

std::string Pad(const std::string& text, size_t width, bool left) {
  if (text.size() >= width) return text;
  std::string fill(width - text.size(), ' ');
  return left ? fill + text : text + fill;
}

std::string RenderGrid(const ShownRows& shown, int truncate) {
  std::vector<size_t> width(shown.headers.size(), 3);
  for (size_t c = 0; c < shown.headers.size(); ++c) {
    width[c] = std::max(width[c], shown.headers[c].size());
    for (const auto& row : shown.rows) width[c] = std::max(width[c], row[c].size());
  }
  std::string line = "+";
  for (size_t w : width) line += std::string(w, '-') + "+";
  line += "\n";
  bool right_align = truncate > 0;
  auto render_row = [&](const std::vector<std::string>& cells) {
    std::string out = "|";
    for (size_t c = 0; c < cells.size(); ++c) out += Pad(cells[c], width[c], right_align) + "|";
    return out + "\n";
  };
  std::string out = line + render_row(shown.headers) + line;
  for (const auto& row : shown.rows) out += render_row(row);
  return out + line;
}

std::string RenderVertical(const ShownRows& shown) {
  // Spark's minimum column width is 3, for the names as for the values.
  size_t name_width = 3, data_width = 3;
  for (const auto& h : shown.headers) name_width = std::max(name_width, h.size());
  for (const auto& row : shown.rows) {
    for (const auto& cell : row) data_width = std::max(data_width, cell.size());
  }
  std::string out;
  for (size_t r = 0; r < shown.rows.size(); ++r) {
    std::string header = "-RECORD " + std::to_string(r);
    size_t total = name_width + data_width + 5;
    if (header.size() < total) header += std::string(total - header.size(), '-');
    out += header + "\n";
    for (size_t c = 0; c < shown.headers.size(); ++c) {
      out += " " + Pad(shown.headers[c], name_width, false) + " | " +
             Pad(shown.rows[r][c], data_width, false) + " \n";
    }
  }
  if (shown.rows.empty()) out += "(0 rows)";
  return out;
}

std::string EscapeHtml(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

sql::QueryPtr StringCell(const std::string& column, std::string value, PlanTranslator& t) {
  auto q = std::make_unique<sql::Query>();
  q->select_items.push_back(Item(t.Literal(std::make_shared<arrow::StringScalar>(std::move(value))),
                                 column));
  return q;
}

}  // namespace

Result<sql::QueryPtr> ShowStringQuery(const proto::ShowString& show, PlanTranslator& t) {
  int num_rows = std::max(0, show.num_rows());
  ASSIGN_OR_RAISE(auto shown, ShowRows(show.input(), num_rows, show.truncate(), t));
  std::string text = show.vertical() ? RenderVertical(shown) : RenderGrid(shown, show.truncate());
  if (shown.has_more) text += MoreRows(num_rows);
  return StringCell("show_string", std::move(text), t);
}

Result<sql::QueryPtr> HtmlStringQuery(const proto::HtmlString& html, PlanTranslator& t) {
  int num_rows = std::max(0, html.num_rows());
  ASSIGN_OR_RAISE(auto shown, ShowRows(html.input(), num_rows, html.truncate(), t));
  std::string text = "<table border='1'>\n<tr>";
  for (const auto& h : shown.headers) text += "<th>" + EscapeHtml(h) + "</th>";
  text += "</tr>\n";
  for (const auto& row : shown.rows) {
    text += "<tr>";
    for (const auto& cell : row) text += "<td>" + EscapeHtml(cell) + "</td>";
    text += "</tr>\n";
  }
  text += "</table>\n";
  // Unlike the text grid, Spark ends the HTML note with a newline.
  if (shown.has_more) text += MoreRows(num_rows) + "\n";
  return StringCell("html_string", std::move(text), t);
}

}  // namespace basin::connect
