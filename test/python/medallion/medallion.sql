-- The medallion pipeline of the Databricks guide, end to end in SQL: raw JSON files -> bronze
-- (as-is, with the source file) -> silver (deduplicated, typed, PII masked) -> gold (monthly
-- revenue), then an upsert with MERGE, time travel, history, RESTORE and VACUUM.
--
-- test_sql_medallion.py runs this script in Spark + delta-spark (statement by statement) and in
-- Basin (`basin sql -f`), and compares the rows of every statement marked `-- @check MODE`:
--   rows     the rows (in any order) and the schema
--   history  the (version, operation) pairs and the column names of DESCRIBE HISTORY
--   columns  the column names only (the values depend on file layout or paths)
--   count    the number of rows and the column names
-- ${raw_dir} and ${updates_dir} are folders of JSON files that the test writes.

SET spark.sql.session.timeZone = UTC;
-- Tables without USING are Delta tables, as on Databricks.
SET spark.sql.sources.default = delta;
-- The last step vacuums with zero retention on purpose.
SET spark.databricks.delta.retentionDurationCheck.enabled = false;

CREATE SCHEMA IF NOT EXISTS medallion;
USE medallion;

-- Bronze: the raw records as they came, with the file each came from.
CREATE TABLE bronze_orders AS
SELECT *, _metadata.file_path AS source_file
FROM json.`${raw_dir}`;

-- @check rows
SELECT * FROM bronze_orders;

-- Silver: one row per order (the latest file wins), no null keys, typed amounts and times,
-- masked e-mail addresses (all but the first two characters of the local part).
CREATE OR REPLACE TABLE silver_orders AS
SELECT
  order_id,
  customer_id,
  regexp_replace(email, '(?<=.{2}).(?=.*@)', '*') AS email,
  CAST(total AS DECIMAL(12,2)) AS total,
  CAST(created_at AS TIMESTAMP) AS created_at,
  status,
  address.city AS city
FROM (
  SELECT *, row_number() OVER (PARTITION BY order_id ORDER BY source_file DESC) AS rn
  FROM bronze_orders
  WHERE order_id IS NOT NULL
)
WHERE rn = 1;

-- @check rows
SELECT * FROM silver_orders;

-- Gold: the guide's business aggregation.
CREATE OR REPLACE TABLE gold_monthly_revenue AS
SELECT
    year(created_at)  AS year,
    month(created_at) AS month,
    COUNT(*)           AS order_count,
    SUM(total)         AS revenue,
    AVG(total)         AS avg_order_value
FROM silver_orders
WHERE status = 'completed'
GROUP BY 1, 2
ORDER BY 1, 2;

-- @check rows
SELECT * FROM gold_monthly_revenue;

-- @check rows
SHOW TABLES;

-- Upsert: status changes of known orders and new orders, cleaned as silver cleans them.
-- @check rows
MERGE INTO silver_orders AS target
USING (
  SELECT
    order_id,
    customer_id,
    regexp_replace(email, '(?<=.{2}).(?=.*@)', '*') AS email,
    CAST(total AS DECIMAL(12,2)) AS total,
    CAST(created_at AS TIMESTAMP) AS created_at,
    status,
    address.city AS city
  FROM json.`${updates_dir}`
) AS source
ON target.order_id = source.order_id
WHEN MATCHED THEN UPDATE SET
  target.status = source.status,
  target.total = source.total
WHEN NOT MATCHED THEN INSERT *;

-- @check rows
SELECT * FROM silver_orders;

-- Time travel: silver as it was before the upsert.
-- @check rows
SELECT * FROM silver_orders VERSION AS OF 0;

-- @check rows
SELECT order_id, status, total FROM silver_orders VERSION AS OF 0
EXCEPT
SELECT order_id, status, total FROM silver_orders;

-- Gold again, over the upserted silver.
CREATE OR REPLACE TABLE gold_monthly_revenue AS
SELECT
    year(created_at)  AS year,
    month(created_at) AS month,
    COUNT(*)           AS order_count,
    SUM(total)         AS revenue,
    AVG(total)         AS avg_order_value
FROM silver_orders
WHERE status = 'completed'
GROUP BY 1, 2
ORDER BY 1, 2;

-- @check rows
SELECT * FROM gold_monthly_revenue;

-- @check history
DESCRIBE HISTORY silver_orders;

-- @check columns
DESCRIBE DETAIL gold_monthly_revenue;

-- Roll the upsert back.
-- @check columns
RESTORE TABLE silver_orders TO VERSION AS OF 0;

-- @check rows
SELECT * FROM silver_orders;

-- @check history
DESCRIBE HISTORY silver_orders;

-- Remove the files the restored version no longer uses.
-- @check columns
VACUUM silver_orders RETAIN 0 HOURS;

-- @check rows
SELECT * FROM silver_orders;

-- @check history
DESCRIBE HISTORY gold_monthly_revenue;

-- @check rows
SELECT * FROM gold_monthly_revenue ORDER BY year, month;
