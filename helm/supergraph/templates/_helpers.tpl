{{/*
Chart name, truncated to the 63 characters a DNS label allows.
*/}}
{{- define "supergraph.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name prefix of every resource: the release name, or <release>-<chart>.
*/}}
{{- define "supergraph.fullname" -}}
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

{{/*
Name of one deployable's resources: (list $ "users") → <fullname>-users.
*/}}
{{- define "supergraph.componentName" -}}
{{- $root := index . 0 }}
{{- printf "%s-%s" (include "supergraph.fullname" $root | trunc 50 | trimSuffix "-") (index . 1) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "supergraph.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels of one deployable: (list $ "users").
*/}}
{{- define "supergraph.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "supergraph.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{/*
Common labels of one deployable: (list $ "users").
*/}}
{{- define "supergraph.labels" -}}
{{- $root := index . 0 -}}
helm.sh/chart: {{ include "supergraph.chart" $root }}
{{ include "supergraph.selectorLabels" . }}
app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
app.kubernetes.io/part-of: supergraph
{{- end }}

{{/*
Labels of resources that belong to no single deployable.
*/}}
{{- define "supergraph.releaseLabels" -}}
helm.sh/chart: {{ include "supergraph.chart" . }}
app.kubernetes.io/name: {{ include "supergraph.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: supergraph
{{- end }}

{{- define "supergraph.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "supergraph.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Deep merge of two maps, as YAML: (list $base $override). Keys of $override win; maps merge key by
key. Unlike sprig's mergeOverwrite, false, 0 and "" in $override do override.
*/}}
{{- define "supergraph.merge" -}}
{{- $out := deepCopy (index . 0 | default dict) }}
{{- range $key, $value := (index . 1 | default dict) }}
{{- $base := get $out $key }}
{{- if and (kindIs "map" $value) (kindIs "map" $base) }}
{{- $_ := set $out $key (include "supergraph.merge" (list $base $value) | fromYaml) }}
{{- else }}
{{- $_ := set $out $key $value }}
{{- end }}
{{- end }}
{{- toYaml $out }}
{{- end }}

{{/*
Every enabled deployable, as YAML: name → `defaults` merged with its own values, plus `kind`
(gateway or subgraph). The gateway and the subgraphs share every template through this map.
*/}}
{{- define "supergraph.deployables" -}}
{{- $out := dict }}
{{- if .Values.gateway.enabled }}
{{- $gateway := include "supergraph.merge" (list .Values.defaults .Values.gateway) | fromYaml }}
{{- $_ := set $gateway "kind" "gateway" }}
{{- $_ := set $out "gateway" $gateway }}
{{- end }}
{{- range $name, $subgraph := .Values.subgraphs }}
{{- if eq $name "gateway" }}
{{- fail "subgraphs: a subgraph cannot be named gateway" }}
{{- end }}
{{- if $subgraph.enabled }}
{{- $merged := include "supergraph.merge" (list $.Values.defaults $subgraph) | fromYaml }}
{{- $_ := set $merged "kind" "subgraph" }}
{{- $_ := set $out $name $merged }}
{{- end }}
{{- end }}
{{- toYaml $out }}
{{- end }}

{{/*
Image of one deployable: (list $ name $deployable).
*/}}
{{- define "supergraph.image" -}}
{{- $root := index . 0 }}
{{- $name := index . 1 }}
{{- $image := (index . 2).image | default dict }}
{{- $repository := $image.repository | default (printf "%s/%s" $root.Values.image.repository $name) }}
{{- $tag := $image.tag | default $root.Values.image.tag | default $root.Chart.AppVersion }}
{{- printf "%s:%s" $repository (toString $tag) }}
{{- end }}

{{/*
Name of the Secret one deployable reads: (list $ $deployable).
*/}}
{{- define "supergraph.secretName" -}}
{{- $root := index . 0 }}
{{- $deployable := index . 1 }}
{{- if $deployable.existingSecret }}
{{- $deployable.existingSecret }}
{{- else if $root.Values.existingSecret }}
{{- $root.Values.existingSecret }}
{{- else if $root.Values.devSecret.enabled }}
{{- printf "%s-dev" (include "supergraph.fullname" $root) }}
{{- else }}
{{- fail "existingSecret is required: name a Secret with DATABASE_URL, REDIS_URL and KEYCLOAK_ADMIN_CLIENT_SECRET (or set devSecret.enabled for development)" }}
{{- end }}
{{- end }}

{{/*
Mount point of the supergraph in the gateway.
*/}}
{{- define "supergraph.supergraphDir" -}}
/etc/supergraph
{{- end }}

{{/*
The supergraph SDL as served to the gateway: routing URLs rewritten to the in-cluster Services of
the enabled subgraphs when `rewriteRoutingUrls` is on.
*/}}
{{- define "supergraph.sdl" -}}
{{- $sdl := required "supergraph is required: pass the composed supergraph with --set-file supergraph=supergraph.graphql" .Values.supergraph }}
{{- if .Values.rewriteRoutingUrls }}
{{- range $name, $subgraph := .Values.subgraphs }}
{{- if $subgraph.enabled }}
{{- $url := printf "http://%s:%v/graphql" (include "supergraph.componentName" (list $ $name)) $subgraph.port }}
{{- $pattern := printf "@join__graph\\(name: \"%s\", url: \"[^\"]*\"\\)" $name }}
{{- $sdl = regexReplaceAll $pattern $sdl (printf "@join__graph(name: \"%s\", url: \"%s\")" $name $url) }}
{{- end }}
{{- end }}
{{- end }}
{{- $sdl }}
{{- end }}

{{/*
Environment of one deployable, stored in its ConfigMap: (list $ name $deployable).
*/}}
{{- define "supergraph.configData" -}}
{{- $root := index . 0 }}
{{- $name := index . 1 }}
{{- $d := index . 2 }}
{{- $env := dict
  "HOST" "0.0.0.0"
  "PORT" (toString $d.port)
  "LOG_LEVEL" $root.Values.logLevel
  "OIDC_ISSUER" (required "oidc.issuer is required: the Keycloak realm URL, e.g. https://sso.example.com/realms/supergraph" $root.Values.oidc.issuer)
  "OIDC_AUDIENCE" $root.Values.oidc.audience
  "REDIS_KEY_PREFIX" $root.Values.redis.keyPrefix
  "SHUTDOWN_TIMEOUT_MS" (toString $d.shutdownTimeoutMs)
}}
{{- if eq $d.kind "gateway" }}
{{- $_ := set $env "SUPERGRAPH_PATH" (printf "%s/supergraph.graphql" (include "supergraph.supergraphDir" $root)) }}
{{- with $root.Values.gateway.edge }}
{{- $_ := set $env "CORS_ORIGINS" (join "," .corsOrigins) }}
{{- $_ := set $env "RATE_LIMIT" (ternary "on" "off" (ne (toString .rateLimit) "false")) }}
{{- $_ := set $env "RATE_LIMIT_ANONYMOUS" (toString .rateLimitAnonymous) }}
{{- $_ := set $env "RATE_LIMIT_USER" (toString .rateLimitUser) }}
{{- $_ := set $env "RATE_LIMIT_PARTNER" (toString .rateLimitPartner) }}
{{- $_ := set $env "RATE_LIMIT_MUTATION" (toString .rateLimitMutation) }}
{{- $_ := set $env "TRUST_PROXY_HOPS" (toString .trustProxyHops) }}
{{- $_ := set $env "INTROSPECTION" .introspection }}
{{- $_ := set $env "LIMIT_COST" (toString .maxCost) }}
{{- $_ := set $env "SUBGRAPH_TIMEOUT_MS" (toString .subgraphTimeoutMs) }}
{{- end }}
{{- else }}
{{- $_ := set $env "MIGRATE_ON_START" (ternary "true" "false" (ne (toString $d.migrateOnStart) "false")) }}
{{- $_ := set $env "POLICY_BUNDLE" (include "supergraph.policyBundle" $root) }}
{{- $_ := set $env "POLICY_PUBLIC_KEY_FILE" (printf "%s/bundle-signing.pub.pem" (include "supergraph.policyKeyDir" $root)) }}
{{- $_ := set $env "POLICY_KEY_ID" $root.Values.policy.keyId }}
{{- $_ := set $env "POLICY_POLL_MIN_MS" (toString $root.Values.policy.pollMinMs) }}
{{- $_ := set $env "POLICY_POLL_MAX_MS" (toString $root.Values.policy.pollMaxMs) }}
{{- end }}
{{- range $key, $value := $root.Values.commonEnv }}
{{- $_ := set $env $key (toString $value) }}
{{- end }}
{{- range $key, $value := ($d.env | default dict) }}
{{- $_ := set $env $key (toString $value) }}
{{- end }}
{{- range $key, $value := $env }}
{{ $key }}: {{ $value | quote }}
{{- end }}
{{- end }}

{{/*
Mount points of the policy signing key and of a bundle ConfigMap in the subgraphs.
*/}}
{{- define "supergraph.policyKeyDir" -}}
/etc/supergraph/policy-key
{{- end }}

{{- define "supergraph.policyBundleDir" -}}
/etc/supergraph/policy-bundle
{{- end }}

{{/*
POLICY_BUNDLE of the subgraphs: the bundle server's URL, else the file of the mounted ConfigMap.
*/}}
{{- define "supergraph.policyBundle" -}}
{{- if .Values.policy.bundleUrl }}
{{- .Values.policy.bundleUrl }}
{{- else if .Values.policy.bundleConfigMap }}
{{- printf "%s/supergraph.tar.gz" (include "supergraph.policyBundleDir" .) }}
{{- else }}
{{- fail "policy.bundleUrl (a bundle server) or policy.bundleConfigMap is required: the subgraphs load a signed OPA bundle" }}
{{- end }}
{{- end }}
