// sample_upload_bench: N concurrent uploaders, each calling PutVoiceSample in a loop with a WAV
// of --size-mib MiB for its own caller number, for --duration seconds. Reports uploads, bytes
// and upload latency. Run beside webhook_bench to see what large samples cost the webhook path
// (tools/bench/sample_stall.sh). Exit status: 0 done, 1 an upload failed, 2 usage error.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_format.h"
#include "callcontrol/v1/call_control_service.grpc.pb.h"
#include "tools/bench/latency_histogram.h"

namespace {

// A WAV header ("RIFF", size, "WAVE", "fmt ") and zeros up to `bytes`.
std::string WavOf(size_t bytes) {
  std::string audio(bytes, '\0');
  audio.replace(0, 16, std::string("RIFF\0\0\0\0WAVEfmt ", 16));
  return audio;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "sample_upload_bench: N concurrent PutVoiceSample uploaders (one caller number each, a "
      "WAV of --size-mib MiB, in a loop) against callcontrold for --duration seconds; reports "
      "uploads/s and upload latency."};
  std::string server = "127.0.0.1:50051";
  std::string api_key;
  int uploaders = 8;
  double size_mib = 10;
  double duration_seconds = 10;
  app.add_option("--server", server, "daemon address HOST:PORT")->capture_default_str();
  app.add_option("--api-key", api_key, "tenant API key, sent as 'authorization: Bearer KEY'")
      ->required()
      ->envname("CALLCONTROL_API_KEY");
  app.add_option("--uploaders,-n", uploaders, "concurrent uploaders")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--size-mib", size_mib, "sample size in MiB (the daemon accepts up to 10)")
      ->check(CLI::Range(0.001, 10.0))
      ->capture_default_str();
  app.add_option("--duration,-d", duration_seconds, "seconds to upload (the tool stops)")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(16 << 20);
  auto channel = grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(), args);
  auto stub = callcontrol::v1::CallControlService::NewStub(channel);
  const std::string audio = WavOf(static_cast<size_t>(size_mib * (1 << 20)));
  const auto end = std::chrono::steady_clock::now() +
                   std::chrono::microseconds(static_cast<int64_t>(duration_seconds * 1e6));
  std::atomic<int64_t> uploads{0};
  std::atomic<int64_t> failures{0};
  std::vector<callcontrol::bench::LatencyHistogram> latencies(static_cast<size_t>(uploaders));
  std::vector<std::thread> threads;
  for (int i = 0; i < uploaders; ++i) {
    threads.emplace_back([&, i] {
      callcontrol::v1::PutVoiceSampleRequest request;
      request.set_caller_number(absl::StrFormat("+1415555%04d", i));
      request.set_audio(audio);
      while (std::chrono::steady_clock::now() < end) {
        grpc::ClientContext ctx;
        ctx.AddMetadata("authorization", "Bearer " + api_key);
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        callcontrol::v1::PutVoiceSampleResponse response;
        const auto begin = std::chrono::steady_clock::now();
        const grpc::Status s = stub->PutVoiceSample(&ctx, request, &response);
        if (!s.ok()) {
          if (failures.fetch_add(1) < 5) {
            std::cerr << "upload failed: " << s.error_code() << " " << s.error_message() << "\n";
          }
          continue;
        }
        latencies[static_cast<size_t>(i)].Record(
            absl::FromChrono(std::chrono::steady_clock::now() - begin));
        uploads.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  callcontrol::bench::LatencyHistogram all;
  for (const auto& h : latencies) all.Merge(h);
  std::cout << absl::StrFormat(
      "sample_upload_bench: %d uploaders, %.1f MiB each, %.0f s\n"
      "  uploads            %d (%.2f/s, %.1f MiB/s), failures %d\n"
      "  upload latency     p50 %.1f ms  p99 %.1f ms  max %.1f ms\n",
      uploaders, size_mib, duration_seconds, uploads.load(), uploads.load() / duration_seconds,
      uploads.load() * size_mib / duration_seconds, failures.load(),
      absl::ToDoubleMilliseconds(all.Percentile(0.5)),
      absl::ToDoubleMilliseconds(all.Percentile(0.99)), absl::ToDoubleMilliseconds(all.max()));
  return failures.load() == 0 ? 0 : 1;
}
