{{/* Names and labels. */}}

{{- define "ssm-automation-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's full name; room is left for the "-headless" suffix. */}}
{{- define "ssm-automation-exporter.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 54 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 54 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 54 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "ssm-automation-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ssm-automation-exporter.name" . | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
{{- end -}}

{{- define "ssm-automation-exporter.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "ssm-automation-exporter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "ssm-automation-exporter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "ssm-automation-exporter.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "ssm-automation-exporter.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* Web configuration: TLS, and whether the kubelet can pass its checks. */}}

{{- define "ssm-automation-exporter.tls" -}}
{{- if .Values.web.config.tls_server_config }}true{{ end -}}
{{- end -}}

{{- define "ssm-automation-exporter.scheme" -}}
{{- if include "ssm-automation-exporter.tls" . }}HTTPS{{ else }}HTTP{{ end -}}
{{- end -}}

{{/* "true" when an HTTP probe would be refused: basic auth, or a client certificate required. */}}
{{- define "ssm-automation-exporter.probeByTCP" -}}
{{- $tls := .Values.web.config.tls_server_config | default dict -}}
{{- $auth := .Values.web.config.basic_auth_users | default dict -}}
{{- if or $auth (has ($tls.client_auth_type | default "") (list "RequireAnyClientCert" "RequireAndVerifyClientCert")) }}true{{ end -}}
{{- end -}}

{{/*
Memory in bytes: the request derived from the expected step executions
(values.yaml, "Resources"), and the limit; rounded up to whole MiB.
*/}}
{{- define "ssm-automation-exporter.memoryRequestMiB" -}}
{{- $r := .Values.resources -}}
{{- $steps := mul (int64 $r.expectedStepExecutions) (int64 $r.memory.perStepExecutionBytes) -}}
{{- add (int64 $r.memory.baseMiB) (div (add $steps 1048575) 1048576) -}}
{{- end -}}

{{- define "ssm-automation-exporter.memoryLimitMiB" -}}
{{- $req := include "ssm-automation-exporter.memoryRequestMiB" . | float64 -}}
{{- ceil (mulf $req .Values.resources.memory.limitRatio) | int64 -}}
{{- end -}}

{{- define "ssm-automation-exporter.resources" -}}
{{- if .Values.resources.override -}}
{{- toYaml .Values.resources.override -}}
{{- else -}}
{{- $r := .Values.resources -}}
requests:
  cpu: {{ $r.cpu.request | quote }}
  memory: {{ include "ssm-automation-exporter.memoryRequestMiB" . }}Mi
{{- if or $r.cpu.limit $r.memory.limitRatio }}
limits:
  {{- with $r.cpu.limit }}
  cpu: {{ . | quote }}
  {{- end }}
  {{- if $r.memory.limitRatio }}
  memory: {{ include "ssm-automation-exporter.memoryLimitMiB" . }}Mi
  {{- end }}
{{- end }}
{{- end -}}
{{- end -}}

{{/* The targets of config, expanded as the exporter names them (config/expand.go). */}}
{{- define "ssm-automation-exporter.targetNames" -}}
{{- $names := list -}}
{{- range .Values.config.targets -}}
{{- $t := . -}}
{{- $roles := .role_arns | default (list (.role_arn | default "")) -}}
{{- $regions := .regions | default (list .region) -}}
{{- range $roles -}}
{{- $parts := splitList ":" . -}}
{{- $account := "" -}}
{{- if and (ge (len $parts) 6) (eq (first $parts) "arn") }}{{ $account = index $parts 4 }}{{ end -}}
{{- range $regions -}}
{{- $name := $t.name -}}
{{- if gt (len ($t.role_arns | default list)) 1 }}{{ $name = printf "%s/%s" $name $account }}{{ end -}}
{{- if gt (len ($t.regions | default list)) 1 }}{{ $name = printf "%s/%s" $name . }}{{ end -}}
{{- $names = append $names $name -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $names -}}
{{- end -}}

{{/* How Prometheus authenticates to the exporter (ServiceMonitor endpoint, Probe spec). */}}
{{- define "ssm-automation-exporter.scrapeAuth" -}}
{{- with .Values.serviceMonitor.tlsConfig }}
tlsConfig:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.serviceMonitor.basicAuth }}
basicAuth:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
Refuses a label of the values that the chart sets itself on the same
object: the pods' selector labels in podLabels (the Deployment, the
StatefulSet and the Services select the pods by them), the chart's labels
in the other maps and in dashboards.label. Rendered twice, a key would
leave one of the two values to chance.
*/}}
{{- define "ssm-automation-exporter.checkLabels" -}}
{{- $selector := include "ssm-automation-exporter.selectorLabels" . | fromYaml -}}
{{- $own := include "ssm-automation-exporter.labels" . | fromYaml -}}
{{- $checks := list
  (list "podLabels" .Values.podLabels $selector)
  (list "service.labels" .Values.service.labels $own)
  (list "serviceMonitor.labels" .Values.serviceMonitor.labels $own)
  (list "prometheusRule.labels" .Values.prometheusRule.labels $own)
  (list "dashboards.label" (dict .Values.dashboards.label "") $own) -}}
{{- range $checks -}}
{{- $what := index . 0 -}}
{{- $set := index . 2 -}}
{{- range $key := index . 1 | default dict | keys | sortAlpha -}}
{{- if hasKey $set $key -}}
{{- fail (printf "%s: %s is a label the chart sets itself" $what $key) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
"true" when config holds a secret: a target's external_id, or user info
(user:password@) in a target's endpoint, sts_endpoint or events.queue_url.
The configuration file is then a Secret, not a ConfigMap.
*/}}
{{- define "ssm-automation-exporter.configHasSecret" -}}
{{- $secret := false -}}
{{- range .Values.config.targets -}}
{{- $events := .events | default dict -}}
{{- if .external_id }}{{ $secret = true }}{{ end -}}
{{- range list .endpoint .sts_endpoint $events.queue_url -}}
{{- if contains "@" (toString (. | default "")) }}{{ $secret = true }}{{ end -}}
{{- end -}}
{{- end -}}
{{- if $secret }}true{{ end -}}
{{- end -}}
