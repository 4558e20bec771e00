{{/* The pod template shared by the Deployment and the DaemonSet. */}}
{{- define "o365-exporter.podTemplate" -}}
{{- $scheme := include "o365-exporter.scheme" . }}
metadata:
  labels:
    {{- include "o365-exporter.labels" . | nindent 4 }}
    app.kubernetes.io/component: exporter
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    {{- if not .Values.existingConfigMap }}
    # A config change changes this hash, so the pods roll and load the new config.
    checksum/config: {{ include "o365-exporter.config" . | sha256sum }}
    {{- end }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "o365-exporter.serviceAccountName" . }}
  automountServiceAccountToken: {{ .Values.automountServiceAccountToken }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if .Values.hostNetwork }}
  hostNetwork: true
  {{- end }}
  dnsPolicy: {{ .Values.dnsPolicy | default (ternary "ClusterFirstWithHostNet" "ClusterFirst" .Values.hostNetwork) }}
  {{- with .Values.dnsConfig }}
  dnsConfig:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  containers:
    - name: exporter
      image: {{ include "o365-exporter.image" . }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      args:
        - --config.file=/etc/o365-exporter/config.yml
        - --web.listen-address=:{{ include "o365-exporter.port" . }}
        - --storage.path=/data
        - --log.level={{ .Values.logLevel }}
        - --log.format={{ .Values.logFormat }}
        {{- with .Values.webConfig.existingSecret }}
        - --web.config.file={{ include "o365-exporter.webConfigDir" $ }}/{{ $.Values.webConfig.key }}
        {{- end }}
        {{- range .Values.extraArgs }}
        - {{ . | quote }}
        {{- end }}
      {{- with .Values.env }}
      env:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      ports:
        - name: http
          containerPort: {{ include "o365-exporter.port" . }}
          protocol: TCP
      {{- /*
        The kubelet sends no credentials and no client certificate, and does not verify the
        server certificate: with basic auth the web.yml must list /-/healthy and /-/ready in
        unauthenticated_paths, and client_auth_type must not require a certificate.
      */}}
      livenessProbe:
        httpGet:
          path: /-/healthy
          port: http
          scheme: {{ $scheme | upper }}
        {{- toYaml .Values.livenessProbe | nindent 8 }}
      readinessProbe:
        httpGet:
          path: /-/ready
          port: http
          scheme: {{ $scheme | upper }}
        {{- toYaml .Values.readinessProbe | nindent 8 }}
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      volumeMounts:
        - name: config
          mountPath: /etc/o365-exporter
          readOnly: true
        - name: data
          mountPath: /data
        - name: tmp
          mountPath: /tmp
        {{- if .Values.webConfig.existingSecret }}
        # The whole Secret, not subPaths: subPath mounts never see an updated Secret.
        - name: web-config
          mountPath: {{ include "o365-exporter.webConfigDir" . }}
          readOnly: true
        {{- end }}
        {{- with .Values.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "o365-exporter.configMapName" . }}
    - name: data
      {{- if .Values.persistence.existingClaim }}
      persistentVolumeClaim:
        claimName: {{ .Values.persistence.existingClaim }}
      {{- else }}
      emptyDir:
        sizeLimit: {{ .Values.persistence.sizeLimit }}
      {{- end }}
    # Writable scratch space with a read-only root filesystem.
    - name: tmp
      emptyDir:
        sizeLimit: 16Mi
    {{- with .Values.webConfig.existingSecret }}
    - name: web-config
      secret:
        secretName: {{ . }}
        # 0440 with the pod's fsGroup (the key file readable by the exporter's group only);
        # 0444 without one, since the files would then belong to root.
        defaultMode: {{ ternary 288 292 (not (empty $.Values.podSecurityContext.fsGroup)) }}
    {{- end }}
    {{- with .Values.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
