// Test support for the files tests: a temporary directory tree, removed
// with the object.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

/// files_tree makes, under a fresh temporary directory:
///   root/hello.txt, root/big.bin (3 MiB + 7 bytes), root/sub/index.html,
///   root/list/{a b.txt, ?q.txt, a&<>.txt, c:d.txt, dir/}, root/inside ->
///   hello.txt, root/escape -> ../outside.txt, root/abs -> <abs path of
///   outside.txt>, and outside.txt next to root.
class files_tree {
public:
    std::string hello = "Hello, files!\n";
    std::string big;

    files_tree() {
        char tmpl[] = "/tmp/ringhttp-files-XXXXXX";
        base_ = ::mkdtemp(tmpl);
        namespace fs = std::filesystem;
        fs::create_directories(root() + "/sub");
        fs::create_directories(root() + "/list/dir");
        big.resize(3 * 1024 * 1024 + 7);
        std::uint32_t x = 2463534242u;
        for (char& c : big) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            c = static_cast<char>(x);
        }
        big[0] = '\0';  // binary for the sniffer
        write(root() + "/hello.txt", hello);
        write(root() + "/big.bin", big);
        write(root() + "/sub/index.html", "<p>index</p>\n");
        for (const char* n : {"a b.txt", "?q.txt", "a&<>.txt", "c:d.txt"}) write(root() + "/list/" + n, "x");
        write(base_ + "/outside.txt", "outside\n");
        fs::create_symlink("hello.txt", root() + "/inside");
        fs::create_symlink("../outside.txt", root() + "/escape");
        fs::create_symlink(base_ + "/outside.txt", root() + "/abs");
    }
    ~files_tree() {
        std::error_code ec;
        std::filesystem::remove_all(base_, ec);
    }
    files_tree(const files_tree&) = delete;
    files_tree& operator=(const files_tree&) = delete;

    std::string root() const { return base_ + "/root"; }
    const std::string& base() const { return base_; }

    static void write(const std::string& path, const std::string& data) {
        std::ofstream(path, std::ios::binary) << data;
    }

private:
    std::string base_;
};
