// Connecting to PostgreSQL is bounded (db_postgres.cpp ConnectBounded): a
// database host that accepts the connection and then says nothing — as
// behind a network cut, or a stuck server — makes the open fail, naming the
// cause, after the 5 s connect timeout rather than hang the server's start.
// Needs no PostgreSQL: the silent host is a socket here that never answers.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "db.h"

namespace clawmit::server {
namespace {

TEST(PostgresConnectTest, AHostThatNeverAnswersFailsTheOpenInsteadOfHanging) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 16), 0);  // the kernel completes the handshake; nobody answers
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string url =
      "postgresql://clawmit@127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/clawmit";

  auto db = Database::OpenPostgres(url, 1);
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("timeout"), std::string::npos) << db.status().ToString();
  ::close(listener);
}

}  // namespace
}  // namespace clawmit::server
