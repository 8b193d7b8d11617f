# callcontrold image. Build: docker build -t callcontrol .
# Run:   docker run -v "$PWD/etc:/etc/callcontrol" -v callcontrol-data:/var/lib/callcontrol \
#          -p 50051:50051 callcontrol
# The config at /etc/callcontrol/callcontrol.json should set daemon.grpc_listen to 0.0.0.0:50051
# and daemon.db under /var/lib/callcontrol.
FROM debian:bookworm AS build
WORKDIR /src
COPY tools/install-deps.sh tools/package.json tools/
RUN ./tools/install-deps.sh
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo \
 && cmake --build build -j"$(nproc)" --target callcontrold webhook_adapter callctl provider_sim

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libgrpc++1.51 libprotobuf32 libabsl20220623 libspdlog1.10 libfmt9 libsqlite3-0 libcurl4 \
      libssl3 libprometheus-cpp-core1.0 libpugixml1v5 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /var/lib/callcontrol callcontrol \
 && mkdir -p /var/lib/callcontrol /etc/callcontrol && chown callcontrol /var/lib/callcontrol
COPY --from=build /src/build/server/callcontrold /src/build/webhook_adapter/webhook-adapter \
     /src/build/client/callctl /src/build/tools/provider_sim/provider-sim /usr/local/bin/
USER callcontrol
EXPOSE 50051
ENTRYPOINT ["/usr/local/bin/callcontrold", "--config", "/etc/callcontrol/callcontrol.json"]
