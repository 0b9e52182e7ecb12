# Build: docker build -t ssm_automation_exporter .
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG REVISION=unknown
RUN CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w \
      -X github.com/prometheus/common/version.Version=${VERSION} \
      -X github.com/prometheus/common/version.Revision=${REVISION} \
      -X github.com/prometheus/common/version.Branch=main" \
    -o /out/ssm_automation_exporter ./cmd/ssm_automation_exporter

# The image holds the binary, CA certificates and the example configuration,
# nothing else; it runs as nobody with a read-only root filesystem
# (docker run --read-only).
FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/ssm_automation_exporter /bin/ssm_automation_exporter
COPY example.yml /etc/ssm_automation_exporter/config.yml
USER 65534:65534
EXPOSE 9847
ENTRYPOINT ["/bin/ssm_automation_exporter"]
CMD ["--config.file=/etc/ssm_automation_exporter/config.yml"]
