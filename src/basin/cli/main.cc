#include <iostream>

int main(int argc, char** argv) {
  std::cout << "basin" << std::endl;
  return 0;
}
