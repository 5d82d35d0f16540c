// AppendingBody: a Beast body (reader only) that reads a response into a
// std::string by appending what arrives, reserved up front to the announced
// length plus kSlack bytes.
//
// Beast's string_body grows the string with resize() before copying each
// piece in, so every body byte is zero-filled and then overwritten: on a
// GetRecords answer of 13 MiB that fill was a tenth of the client's CPU.
// The slack lets a parser that reads up to 64 bytes past the end (simdjson
// needs that much padding) run over the body where it lies, without copying
// it into a padded buffer first. Internal to libriffle-kinesis.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>
#include <boost/system/error_code.hpp>

namespace riffle::kinesis::internal {

struct AppendingBody {
  // Spare capacity reserved after an announced body.
  static constexpr size_t kSlack = 64;

  using value_type = std::string;

  static std::uint64_t size(const value_type& body) { return body.size(); }

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(boost::beast::http::header<isRequest, Fields>&, value_type& body) : body_(body) {}

    void init(const boost::optional<std::uint64_t>& length, boost::system::error_code& ec) {
      ec = {};
      if (!length) return;
      if (*length > body_.max_size() - kSlack) {
        ec = boost::beast::http::error::buffer_overflow;
        return;
      }
      body_.reserve(static_cast<size_t>(*length) + kSlack);
    }

    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, boost::system::error_code& ec) {
      ec = {};
      size_t n = 0;
      for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers);
           ++it) {
        boost::asio::const_buffer piece = *it;
        body_.append(static_cast<const char*>(piece.data()), piece.size());
        n += piece.size();
      }
      return n;
    }

    void finish(boost::system::error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

}  // namespace riffle::kinesis::internal
