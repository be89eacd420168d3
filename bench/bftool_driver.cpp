// Line-protocol driver around bftool's library (github.com/sxyu/bftool), for
// bench/compare_bftool.py. Our code: it only calls bftool's public API (include/boolfun.hpp),
// and is linked with the object files of bftool's own CMake build (see bench/setup_bftool.sh).
// bftool ships no command line that reads a truth table (its main.cpp is a demo), hence this.
//
// Truth table in: a string of '0'/'1', character i = f(i); bit j of i is bftool's x_{j+1},
// '1' = True = bftool's value 1 (bftool's BoolFun is {0,1}^n -> {0,1}). Requests on stdin:
//   eval <n> <bits> <m1,m2,...>    one JSON object per line with the requested measures
//   time <measure> <n> <bits> <k>  seconds for k consecutive calls of one measure (steady_clock)
//   builtin kushilevitz | builtin addr <k>   the table of one of bftool's constructors, as bits
//   quit
// Doubles are printed with 17 significant digits, so they read back exactly.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "boolfun.hpp"

using namespace bftool;

namespace {

BoolFun make(size_t n, const std::string& bits) {
    BoolFun f(n, 0);  // not operator=(vector): it neither resizes nor clears (bftool 211a6a7)
    for (size_t i = 0; i < f.table_size; ++i) {
        if (bits[i] == '1') f[i] = 1;
    }
    return f;
}

std::string num(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

template <class T>
std::string list(const std::vector<T>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) {
        if (i) s += ",";
        s += num(static_cast<double>(v[i]));
    }
    return s + "]";
}

// A local measure at every point, as a JSON list.
template <class Local>
std::string pointwise(const BoolFun& f, Local at) {
    std::vector<double> v;
    for (size_t x = 0; x < f.table_size; ++x) v.push_back(at(x));
    return list(v);
}

size_t gf2_degree(const BoolFun& f) {
    size_t d = 0;
    f.fourier_01(true, &d);
    return d;
}

// One measure as a JSON value; "" when unknown.
std::string measure(const BoolFun& f, const std::string& m) {
    if (m == "s") return num(f.s());
    if (m == "s0") return num(f.s0());
    if (m == "s1") return num(f.s1());
    if (m == "s_pointwise") return pointwise(f, [&f](size_t x) { return double(f.s(x)); });
    if (m == "su") return num(f.su());
    if (m == "inf") {  // inf(i) XORs i into the point: pass the mask 1 << j for variable j
        std::vector<double> v;
        for (size_t j = 0; j < f.input_size; ++j) v.push_back(f.inf(size_t(1) << j));
        return list(v);
    }
    if (m == "fbs") return num(f.fbs());
    if (m == "fbs0") return num(f.fbs0());
    if (m == "fbs1") return num(f.fbs1());
    if (m == "fbs_pointwise") return pointwise(f, [&f](size_t x) { return f.fbs(x); });
    if (m == "D") return num(f.D());
    if (m == "deg") return num(f.deg());
    if (m == "gf2_deg") return num(gf2_degree(f));
    if (m == "adeg") return num(f.adeg());
    if (m == "fourier") return list(f.fourier());
    if (m == "expectation_pm1") return num(f.expectation_pm1());
    if (m == "variance_pm1") return num(f.variance_pm1());
    if (m == "lambda") return num(f.lambda_eigen3());
    return "";
}

volatile double sink = 0;

// k calls of one measure, timed together.
double time_measure(const BoolFun& f, const std::string& m, long k) {
    auto t0 = std::chrono::steady_clock::now();
    for (long r = 0; r < k; ++r) {
        if (m == "s") sink += f.s();
        else if (m == "su") sink += f.su();
        else if (m == "fbs") sink += f.fbs();
        else if (m == "fbs_pointwise") {
            for (size_t x = 0; x < f.table_size; ++x) sink += f.fbs(x);
        }
        else if (m == "D") sink += f.D();
        else if (m == "deg") sink += f.deg();
        else if (m == "gf2_deg") sink += gf2_degree(f);
        else if (m == "adeg") sink += f.adeg();
        else if (m == "fourier") sink += f.fourier()[0];
        else return -1;
    }
    auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double>(t1 - t0).count();
}

}  // namespace

int main() {
    std::ios::sync_with_stdio(false);
    std::string line;
    while (std::getline(std::cin, line)) {
        std::istringstream in(line);
        std::string cmd;
        in >> cmd;
        if (cmd == "quit") break;
        if (cmd == "eval") {
            size_t n;
            std::string bits, ms;
            in >> n >> bits >> ms;
            if (bits.size() != (size_t(1) << n)) {
                std::cout << "{\"error\":\"table length\"}" << std::endl;
                continue;
            }
            BoolFun f = make(n, bits);
            std::string out = "{";
            std::stringstream mss(ms);
            std::string m;
            bool first = true;
            while (std::getline(mss, m, ',')) {
                std::string v = measure(f, m);
                if (v.empty()) v = "null";
                out += (first ? "\"" : ",\"") + m + "\":" + v;
                first = false;
            }
            std::cout << out << "}" << std::endl;
        } else if (cmd == "time") {
            std::string m, bits;
            size_t n;
            long k;
            in >> m >> n >> bits >> k;
            BoolFun f = make(n, bits);
            std::cout << "{\"seconds\":" << num(time_measure(f, m, k)) << "}" << std::endl;
        } else if (cmd == "builtin") {
            std::string name;
            size_t k = 0;
            in >> name >> k;
            BoolFun f = name == "addr" ? BoolFun::addr(k) : BoolFun::kushilevitz();
            std::string bits;
            for (size_t i = 0; i < f.table_size; ++i) bits += f(i) ? '1' : '0';
            std::cout << "{\"n\":" << f.input_size << ",\"bits\":\"" << bits << "\"}" << std::endl;
        } else {
            std::cout << "{\"error\":\"unknown command\"}" << std::endl;
        }
    }
    return 0;
}
