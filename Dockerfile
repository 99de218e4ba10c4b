# Multi-stage build: a static planbot binary on a minimal base.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/planbot ./cmd/planbot

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/planbot /planbot
ENV PLANBOT_ADDR=:8080 PLANBOT_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
USER nonroot
ENTRYPOINT ["/planbot"]
CMD ["serve"]
