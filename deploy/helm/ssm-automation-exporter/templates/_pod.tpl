{{/* The pod template of the Deployment, or of the StatefulSet of sharding. */}}
{{- define "ssm-automation-exporter.podTemplate" -}}
{{- $web := .Values.web.config -}}
metadata:
  labels:
    {{- include "ssm-automation-exporter.selectorLabels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- if or .Values.podAnnotations (eq .Values.configReload "rollout") }}
  annotations:
    {{- if eq .Values.configReload "rollout" }}
    checksum/config: {{ include (print $.Template.BasePath "/config.yaml") . | sha256sum }}
    checksum/web-config: {{ include (print $.Template.BasePath "/secret.yaml") . | sha256sum }}
    {{- end }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
spec:
  serviceAccountName: {{ include "ssm-automation-exporter.serviceAccountName" . | quote }}
  # The exporter never talks to the Kubernetes API. IRSA and EKS Pod
  # Identity project their own token.
  automountServiceAccountToken: false
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . | quote }}
  {{- end }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  containers:
    - name: exporter
      image: {{ include "ssm-automation-exporter.image" . | quote }}
      imagePullPolicy: {{ .Values.image.pullPolicy | quote }}
      args:
        {{- if .Values.demo }}
        - --demo
        {{- else }}
        - --config.file=/etc/ssm_automation_exporter/config/config.yml
        {{- end }}
        - --web.listen-address=:{{ .Values.service.port }}
        - {{ printf "--web.telemetry-path=%s" .Values.telemetryPath | quote }}
        {{- if $web }}
        - --web.config.file=/etc/ssm_automation_exporter/web/web-config.yml
        {{- end }}
        {{- if .Values.sharding.enabled }}
        - --no-web.metrics-include-targets
        {{- end }}
        - --web.shutdown-grace={{ .Values.shutdownGraceSeconds }}s
        - {{ printf "--log.level=%s" .Values.log.level | quote }}
        - {{ printf "--log.format=%s" .Values.log.format | quote }}
        {{- with .Values.extraArgs }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- $userLimit := false }}
      {{- range .Values.env }}{{ if eq .name "GOMEMLIMIT" }}{{ $userLimit = true }}{{ end }}{{ end }}
      {{- $limit := and (not .Values.resources.override) (not $userLimit) .Values.resources.memory.limitRatio .Values.resources.memory.goMemLimitRatio }}
      {{- if or $limit .Values.env }}
      env:
        {{- if $limit }}
        - name: GOMEMLIMIT
          value: {{ mulf (include "ssm-automation-exporter.memoryLimitMiB" . | float64) .Values.resources.memory.goMemLimitRatio 1048576 | floor | int64 | quote }}
        {{- end }}
        {{- with .Values.env }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- end }}
      ports:
        - name: http
          containerPort: {{ .Values.service.port }}
          protocol: TCP
      {{- range $kind, $path := dict "liveness" "/-/healthy" "readiness" "/-/ready" }}
      {{ $kind }}Probe:
        {{- if include "ssm-automation-exporter.probeByTCP" $ }}
        tcpSocket:
          port: http
        {{- else }}
        httpGet:
          path: {{ $path }}
          port: http
          scheme: {{ include "ssm-automation-exporter.scheme" $ }}
        {{- end }}
        {{- toYaml (get $.Values (printf "%sProbe" $kind)) | nindent 8 }}
      {{- end }}
      resources:
        {{- include "ssm-automation-exporter.resources" . | nindent 8 }}
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- if not .Values.demo }}
        - name: config
          mountPath: /etc/ssm_automation_exporter/config
          readOnly: true
        {{- end }}
        {{- if $web }}
        - name: web-config
          mountPath: /etc/ssm_automation_exporter/web
          readOnly: true
        {{- end }}
        {{- if .Values.web.tlsSecretName }}
        - name: tls
          mountPath: /etc/ssm_automation_exporter/tls
          readOnly: true
        {{- end }}
  volumes:
    # The demo writes its configuration here; the root filesystem is read-only.
    - name: tmp
      emptyDir:
        sizeLimit: 16Mi
    {{- if not .Values.demo }}
    # A directory, not a subPath: the kubelet then updates the file in place
    # (configReload: reload). A Secret when the configuration holds a secret.
    - name: config
      {{- if include "ssm-automation-exporter.configHasSecret" . }}
      secret:
        secretName: {{ include "ssm-automation-exporter.fullname" . }}
      {{- else }}
      configMap:
        name: {{ include "ssm-automation-exporter.fullname" . }}
      {{- end }}
    {{- end }}
    {{- if $web }}
    - name: web-config
      secret:
        secretName: {{ include "ssm-automation-exporter.fullname" . }}-web
    {{- end }}
    {{- if .Values.web.tlsSecretName }}
    - name: tls
      secret:
        secretName: {{ .Values.web.tlsSecretName | quote }}
    {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
