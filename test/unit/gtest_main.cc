// The main() of every gtest binary: initializes Arrow's compute registry (Arrow 26 needs it before
// any kernel is looked up), as the `basin` binary does, then runs the tests.

#include <arrow/compute/initialize.h>
#include <gtest/gtest.h>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (!arrow::compute::Initialize().ok()) return 2;
  return RUN_ALL_TESTS();
}
