# Build: docker build -t ssm_automation_exporter .
# For another platform: docker buildx build --platform linux/arm64 -t ssm_automation_exporter .
# The build stage runs on the builder's platform and cross-compiles for the
# target's (TARGETOS, TARGETARCH, set by BuildKit from --platform).
FROM --platform=$BUILDPLATFORM golang:1.26.8 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=dev
ARG REVISION=unknown
# /rootfs is the whole image: the binary, CA certificates, and a /tmp
# anyone may write to (the demo writes its configuration there).
RUN mkdir -p /rootfs/bin /rootfs/etc/ssl/certs /rootfs/tmp \
 && chmod 1777 /rootfs/tmp \
 && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ \
 && CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH:-amd64} go build -trimpath \
    -ldflags "-s -w \
      -X github.com/prometheus/common/version.Version=${VERSION} \
      -X github.com/prometheus/common/version.Revision=${REVISION} \
      -X github.com/prometheus/common/version.Branch=main" \
    -o /rootfs/bin/ssm_automation_exporter ./cmd/ssm_automation_exporter

# The image holds the binary, CA certificates and an empty /tmp, nothing
# else; it runs as nobody. Without arguments it runs the demo (the built-in
# SSM simulator, no AWS account); give it --config.file for real targets.
FROM scratch
ARG VERSION=dev
ARG REVISION=unknown
ARG SOURCE=https://github.com/ssm-automation-exporter/ssm_automation_exporter
LABEL org.opencontainers.image.title="ssm_automation_exporter" \
      org.opencontainers.image.description="Prometheus exporter for AWS Systems Manager Automation step executions" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.url="${SOURCE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /rootfs/ /
USER 65534:65534
EXPOSE 9847
ENTRYPOINT ["/bin/ssm_automation_exporter"]
CMD ["--demo"]
