// cpp_sniff: the C++ side of check.sh. It compiles the test file in, so the
// inputs it replays are exactly those of tests/engine/http/sniff_test.cpp.
//
//	cpp_sniff table     every table row as "hex<TAB>want<TAB>name"
//	cpp_sniff < in.hex  detect_content_type of each hex-encoded input line
#include "tests/engine/http/sniff_test.cpp"

#include <iostream>
#include <string>

namespace {

std::string to_hex(std::string_view data) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : data) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

int from_hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1 && std::string_view(argv[1]) == "table") {
        for (const auto* table : all_tables)
            for (const auto& c : *table) std::cout << to_hex(c.data) << '\t' << c.want << '\t' << c.name << '\n';
        return 0;
    }
    std::string line;
    while (std::getline(std::cin, line)) {
        std::string data;
        for (std::size_t i = 0; i + 1 < line.size(); i += 2) {
            int hi = from_hex_digit(line[i]), lo = from_hex_digit(line[i + 1]);
            if (hi < 0 || lo < 0 || line.size() % 2 != 0) {
                std::cerr << "bad hex input: " << line << '\n';
                return 2;
            }
            data += static_cast<char>(hi << 4 | lo);
        }
        std::cout << detect_content_type(data) << '\n';
    }
    return 0;
}
