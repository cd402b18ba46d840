// C++: iostream, std::string, containers, algorithms, exceptions (stack unwinding through the guest's own unwinder).
#include <algorithm>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

static int depth(int n)
{
    if (n == 0) throw std::runtime_error("bottom reached");
    return depth(n - 1) + 1;
}

int main()
{
    std::vector<std::string> words;
    std::istringstream in("the quick brown fox jumps over the lazy dog the end");
    for (std::string w; in >> w;) words.push_back(w);
    std::map<std::string, int> counts;
    for (auto &w : words) counts[w]++;
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    for (auto &w : words) std::cout << w << ':' << counts[w] << ' ';
    std::cout << '\n';
    try {
        depth(50);
    } catch (const std::exception &e) {
        std::cout << "caught: " << e.what() << '\n';
    }
    std::ostringstream out;
    out << std::hex << 48879 << ' ' << std::scientific << 12345.678;
    std::cout << out.str() << std::endl;
    return static_cast<int>(counts["the"]);
}
