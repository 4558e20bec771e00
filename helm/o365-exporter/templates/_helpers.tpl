{{/* Names, labels and the rendered exporter config shared by the templates. */}}

{{- define "o365-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-scoped name; the release name alone when it already contains the chart name. */}}
{{- define "o365-exporter.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "o365-exporter.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "o365-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "o365-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "o365-exporter.labels" -}}
helm.sh/chart: {{ include "o365-exporter.chart" . }}
{{ include "o365-exporter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: o365-exporter
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "o365-exporter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "o365-exporter.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "o365-exporter.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{- define "o365-exporter.configMapName" -}}
{{- .Values.existingConfigMap | default (printf "%s-config" (include "o365-exporter.fullname" .)) }}
{{- end }}

{{/*
The exporter's config.yml: values.config with `site` merged into labels. A site given both
ways must agree, so the series never carry a label the release name does not suggest.
*/}}
{{- define "o365-exporter.config" -}}
{{- $config := deepCopy (.Values.config | default dict) }}
{{- if .Values.site }}
{{- $labels := deepCopy (get $config "labels" | default dict) }}
{{- $existing := get $labels "site" }}
{{- if and $existing (ne $existing .Values.site) }}
{{- fail (printf "site %q and config.labels.site %q disagree: set one of them" .Values.site $existing) }}
{{- end }}
{{- $_ := set $labels "site" .Values.site }}
{{- $_ := set $config "labels" $labels }}
{{- end }}
{{- toYaml $config }}
{{- end }}

{{/* Only one place names the port the container listens on. */}}
{{- define "o365-exporter.port" -}}
{{- .Values.service.port | int }}
{{- end }}

{{/*
Web config (--web.config.file): the Secret `webConfig.existingSecret` is mounted whole at
this directory, so the relative cert_file/key_file/client_ca_file names of its web.yml
resolve to the files beside it (the exporter resolves them against the web.yml's directory).
*/}}
{{- define "o365-exporter.webConfigDir" -}}
/etc/o365-exporter-web
{{- end }}

{{/* "true" when extraArgs already passes a --web.config.file (the older, manual way). */}}
{{- define "o365-exporter.webConfigInExtraArgs" -}}
{{- range .Values.extraArgs }}
{{- if hasPrefix "--web.config.file" . }}true{{ end }}
{{- end }}
{{- end }}

{{/*
http or https: what the listener speaks, for the kubelet probes, the monitors and the test
pod. The chart cannot read the Secret, so webConfig.scheme says it; the contradictions it
can see fail the render.
*/}}
{{- define "o365-exporter.scheme" -}}
{{- $web := .Values.webConfig }}
{{- $extra := include "o365-exporter.webConfigInExtraArgs" . }}
{{- if and $web.existingSecret $extra }}
{{- fail "webConfig.existingSecret and a --web.config.file in extraArgs both set a web config: keep webConfig and drop the flag from extraArgs" }}
{{- end }}
{{- if and (eq $web.scheme "https") (not $web.existingSecret) (not $extra) }}
{{- fail "webConfig.scheme is https but no web config is set: set webConfig.existingSecret to a Secret whose web.yml has tls_server_config" }}
{{- end }}
{{- $web.scheme | default "http" }}
{{- end }}
