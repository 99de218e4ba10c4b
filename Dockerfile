# Multi-stage build: a static planbot binary on a minimal base, run as the
# distroless nonroot user (65532). Beside the binary, in /opt/planbot, the
# licences of the dictionaries embedded in it, which must ship with it
# (data/dict/README.md). Build: docker build -t planbot .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/opt/planbot/planbot ./cmd/planbot
RUN cp data/dict/LICENSE-*.txt /out/opt/planbot/ \
 && cp data/dict/README.md /out/opt/planbot/README-dict.md \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/opt/planbot/ /opt/planbot/
# The version store, owned by the runtime user: a new volume mounted on
# /data takes the image's ownership, so the service can store versions.
COPY --from=build --chown=65532:65532 /out/data /data
ENV PLANBOT_ADDR=:8080
ENV PLANBOT_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/opt/planbot/planbot"]
CMD ["serve"]
