#include "app/command_backup.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <cstdio>
#include <filesystem>

namespace riffle::app {

int Backup(const std::string& admin_url, const std::string& out_dir) {
  const std::string prefix = "http://";
  if (admin_url.rfind(prefix, 0) != 0) {
    std::fprintf(stderr, "riffle: --admin must be http://HOST:PORT (got %s)\n", admin_url.c_str());
    return 2;
  }
  std::string authority = admin_url.substr(prefix.size());
  authority = authority.substr(0, authority.find('/'));
  const size_t colon = authority.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "riffle: --admin must name the port: http://HOST:PORT\n");
    return 2;
  }
  const std::string dir = std::filesystem::absolute(out_dir).lexically_normal().string();
  for (char c : dir) {
    if (c == ' ' || c == '&' || c == '?' || c == '#' || c == '%' || static_cast<unsigned char>(c) < 0x21) {
      std::fprintf(stderr, "riffle: --out may not contain spaces, &, ?, # or %% (got %s)\n", dir.c_str());
      return 2;
    }
  }
  try {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::resolver resolver(ioc);
    boost::asio::ip::tcp::socket socket(ioc);
    boost::asio::connect(socket, resolver.resolve(authority.substr(0, colon), authority.substr(colon + 1)));
    const std::string request = "POST /backup?dir=" + dir + " HTTP/1.1\r\nHost: " + authority +
                                "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    boost::asio::write(socket, boost::asio::buffer(request));
    std::string response;
    boost::system::error_code ec;
    boost::asio::read(socket, boost::asio::dynamic_buffer(response), ec);
    const size_t space = response.find(' ');
    const int status = space == std::string::npos ? 0 : std::atoi(response.c_str() + space + 1);
    const size_t body = response.find("\r\n\r\n");
    const std::string text = body == std::string::npos ? response : response.substr(body + 4);
    if (status != 200) {
      std::fprintf(stderr, "riffle: backup failed (HTTP %d): %s", status, text.c_str());
      return 1;
    }
    std::fputs(text.c_str(), stderr);
    std::printf("%s\n", dir.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "riffle: cannot reach %s: %s\n", admin_url.c_str(), e.what());
    return 1;
  }
}

}  // namespace riffle::app
