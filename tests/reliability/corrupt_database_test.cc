// A damaged database is refused at start, never served: callcontrold (the real executable)
// exits non-zero with a message that names the file, says it is corrupt or not a callcontrol
// database, and tells what to do - for garbage over the first pages, a file that is not SQLite
// at all, a damaged index page that loading the state never reads (found by the quick_check at
// open), and another application's SQLite database. A torn WAL tail, what a crash in the middle
// of a write leaves, is not corruption: the daemon starts on it.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "callcontrol/v1/call_control_service.grpc.pb.h"
#include "common/config/config.h"
#include "tests/integration/child_process.h"
#include "tests/testing/grpc_environment.h"
#include "tests/testing/temp_dir.h"

namespace callcontrol::testing {
namespace {

constexpr char kKey[] = "cck_corrupt_acme";
const absl::Duration kTimeout = absl::Seconds(20);

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Overwrites `size` bytes at `offset` with seeded garbage.
void WriteGarbage(const std::string& path, int64_t offset, int64_t size) {
  std::mt19937 rng(7);
  std::string garbage(static_cast<size_t>(size), '\0');
  for (char& c : garbage) c = static_cast<char>(rng());
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(offset);
  f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
}

// One value from a query on `path`, read-only, with the C API.
int64_t QueryInt(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  int64_t value = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    value = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

class CorruptDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("callcontrol.db");
    std::ofstream(dir_.File("callcontrol.json"))
        << R"({"daemon": {"db": ")" << db_ << R"(", "internal_api_key": "corrupt-internal-key"},
              "tenants": [{"id": "acme", "default_from": "+15005550006",
                           "api_keys": [")"
        << config::HashApiKey(kKey) << R"("],
                           "twilio": {"account_sid": "AC00000000000000000000000000000001",
                                      "auth_token": "secret",
                                      "api_base_url": "http://127.0.0.1:1"}}]})";
  }

  std::unique_ptr<ChildProcess> Start() {
    auto daemon = ChildProcess::Start(
        {CALLCONTROLD_PATH, "--config", dir_.File("callcontrol.json"), "--grpc-listen",
         "127.0.0.1:0", "--public-url", "http://127.0.0.1:1", "--log-level", "warn"},
        dir_.File("daemon.log"));
    EXPECT_TRUE(daemon.ok()) << daemon.status();
    return daemon.ok() ? *std::move(daemon) : nullptr;
  }

  // Starts the daemon on a fresh database and stops it, so a complete database file exists.
  void MakeDatabase() {
    auto daemon = Start();
    ASSERT_NE(daemon, nullptr);
    ASSERT_TRUE(daemon->WaitForLine("listening on", kTimeout).ok());
    daemon->Stop(SIGTERM);  // its last checkpoint empties the WAL into the file
    ASSERT_TRUE(std::filesystem::exists(db_));
  }

  // Starts the daemon and expects it to refuse: it exits non-zero before listening, with
  // stderr naming the database and what is wrong. Returns stderr.
  std::string ExpectRefused(const std::string& what) {
    std::filesystem::remove(dir_.File("daemon.log"));
    auto daemon = Start();
    if (daemon == nullptr) return "";
    const auto line = daemon->WaitForLine("listening on", kTimeout);
    EXPECT_TRUE(absl::IsUnavailable(line.status())) << "it served a database with " << what;
    const int status = daemon->Stop(SIGKILL);  // reaps it; it has already exited
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << "exit status " << status;
    const std::string err = ReadAll(dir_.File("daemon.log"));
    EXPECT_NE(err.find("database " + db_ + " is corrupt or not a callcontrol database"),
              std::string::npos)
        << err;
    EXPECT_NE(err.find("restore it from a backup or move it away to start empty"),
              std::string::npos)
        << err;
    return err;
  }

  TempDir dir_;
  std::string db_;
};

TEST_F(CorruptDatabaseTest, GarbageOverTheFirstPagesIsRefusedNamingTheFile) {
  ASSERT_NO_FATAL_FAILURE(MakeDatabase());
  WriteGarbage(db_, 0, 8192);
  const std::string err = ExpectRefused("garbage over its first pages");
  EXPECT_NE(err.find("not a database"), std::string::npos) << err;  // SQLite's own words
}

TEST_F(CorruptDatabaseTest, AFileThatIsNotSqliteIsRefused) {
  std::ofstream(db_) << "these are somebody's notes, not a database\n" << std::string(5000, 'x');
  const std::string err = ExpectRefused("a text file");
  EXPECT_NE(err.find("not a database"), std::string::npos) << err;
}

TEST_F(CorruptDatabaseTest, DamagedIndexPageIsFoundByTheQuickCheckAtOpen) {
  ASSERT_NO_FATAL_FAILURE(MakeDatabase());
  // An index that loading the state never reads: only the check at open can find it damaged.
  const int64_t page =
      QueryInt(db_, "SELECT rootpage FROM sqlite_schema WHERE name = 'calls_by_idempotency_key'");
  const int64_t page_size = QueryInt(db_, "PRAGMA page_size");
  ASSERT_GT(page, 1);
  ASSERT_GT(page_size, 0);
  WriteGarbage(db_, (page - 1) * page_size, page_size);
  const std::string err = ExpectRefused("a damaged index page");
  EXPECT_NE(err.find("quick_check"), std::string::npos) << err;
}

TEST_F(CorruptDatabaseTest, AnotherApplicationsDatabaseIsRefused) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  ExpectRefused("another application's tables");
  // Refused without touching it: no callcontrol table was added.
  EXPECT_EQ(QueryInt(db_, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'calls'"), 0);
}

TEST_F(CorruptDatabaseTest, TornWalTailIsRecoveredNotRefused) {
  auto daemon = Start();
  ASSERT_NE(daemon, nullptr);
  auto line = daemon->WaitForLine("listening on", kTimeout);
  ASSERT_TRUE(line.ok()) << line.status();
  const std::string port = line->substr(line->rfind(' ') + 1);
  auto channel = grpc::CreateChannel("127.0.0.1:" + port, grpc::InsecureChannelCredentials());
  auto stub = v1::CallControlService::NewStub(channel);
  for (int i = 0; i < 5; ++i) {  // each writes the call, then its failed dial (no provider)
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", std::string("Bearer ") + kKey);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::StartCallRequest request;
    request.set_to("+1415555010" + std::to_string(i));
    v1::StartCallResponse response;
    (void)stub->StartCall(&ctx, request, &response);
  }
  daemon->Stop(SIGKILL);  // no final checkpoint: the WAL keeps its frames
  const std::string wal = db_ + "-wal";
  ASSERT_TRUE(std::filesystem::exists(wal));
  const auto size = std::filesystem::file_size(wal);
  ASSERT_GT(size, 32u + 4096u);
  std::filesystem::resize_file(wal, size - 1000);  // the last frame cut in the middle

  daemon = Start();
  ASSERT_NE(daemon, nullptr);
  line = daemon->WaitForLine("listening on", kTimeout);
  EXPECT_TRUE(line.ok()) << line.status() << "\n" << ReadAll(dir_.File("daemon.log"));
  daemon->Stop(SIGTERM);
}

}  // namespace
}  // namespace callcontrol::testing
