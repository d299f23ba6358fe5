{{/* The chart name, or nameOverride. */}}
{{- define "capstan.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The prefix of every object name: fullnameOverride, else the release name when it already
contains the chart name (so `helm install capstan` gives "capstan", not "capstan-capstan"),
else <release>-<chart>. 63 characters: some names end up as DNS labels.
*/}}
{{- define "capstan.fullname" -}}
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

{{- define "capstan.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels that select the operator's pods. They never change for the life of a release
(a Deployment's selector is immutable). The component keeps them apart from the data-plane
pods, whose app.kubernetes.io/name is their component (tsdb, lb, broker).
*/}}
{{- define "capstan.selectorLabels" -}}
app.kubernetes.io/name: {{ include "capstan.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{/*
Labels on every object of the chart. managed-by is Helm, not "capstan": the operator's
informers watch only objects labelled managed-by=capstan, and these are not its to manage.
*/}}
{{- define "capstan.labels" -}}
helm.sh/chart: {{ include "capstan.chart" . }}
{{ include "capstan.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: capstan
{{- end }}

{{- define "capstan.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "capstan.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Lease the replicas elect a leader with; per release, so two releases never share one. */}}
{{- define "capstan.leaseName" -}}
{{- include "capstan.fullname" . }}
{{- end }}

{{- define "capstan.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "capstan.dataplaneImage" -}}
{{- printf "%s:%s" .Values.dataplane.image.repository (default .Chart.AppVersion .Values.dataplane.image.tag) }}
{{- end }}

{{/*
The RBAC rules the controllers need in every namespace they watch, and nothing more:

  capstan.dev tsdbclusters, loadbalancers, messagebrokers, messagetopics
      get, list, watch     informers of the primary resources
      patch                finalizers are added and removed by patch (JOSDK)
  capstan.dev <kind>/status
      get, patch           status is written by server-side apply
  capstan.dev messagetopics/finalizers
      update               for the MessageTopic finalizer (topic deletion in the broker)
  apps statefulsets, deployments; "" services, configmaps; policy poddisruptionbudgets
      get, list, watch     informers of the owned objects
      create, patch        server-side apply (create when absent, patch when drifted)
      update               JOSDK writes ConfigMaps with update, not apply; and an object that
                           apply cannot restore (a Service port changed by hand) is replaced
      delete               owned objects a spec no longer asks for
  "" serviceaccounts; rbac.authorization.k8s.io roles, rolebindings
      the same seven verbs  the identity of a LoadBalancer's balancer pods (a ServiceAccount,
                           and a Role bound to it) is an owned object like the others
  discovery.k8s.io endpointslices
      list                 the ready endpoints of a LoadBalancer's own Service are its ready
                           balancer pods, whose /status the operator reads for healthyServers
                           (so it needs no permission on Pods)
      get, list, watch     Kubernetes lets the operator grant only permissions it holds (the
                           RBAC escalation check), and a balancer's Role grants these, with get
                           on services (held above), to follow the EndpointSlices of its
                           Service backends
  "" events
      create               Events on the custom resources (KubernetesEventRecorder)

Not granted: update on the custom resources and their status (never rewritten), deletecollection, Secrets (pods read them through the kubelet, the operator never does),
Pods, escalate and bind (so it can grant nothing beyond what it holds), and any cluster-scoped
resource.
*/}}
{{- define "capstan.managedRules" -}}
- apiGroups: ["capstan.dev"]
  resources: ["tsdbclusters", "loadbalancers", "messagebrokers", "messagetopics"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["capstan.dev"]
  resources: ["tsdbclusters/status", "loadbalancers/status", "messagebrokers/status", "messagetopics/status"]
  verbs: ["get", "patch"]
- apiGroups: ["capstan.dev"]
  resources: ["messagetopics/finalizers"]
  verbs: ["update"]
- apiGroups: ["apps"]
  resources: ["statefulsets", "deployments"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: [""]
  resources: ["services", "configmaps"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: [""]
  resources: ["serviceaccounts"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["roles", "rolebindings"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: ["discovery.k8s.io"]
  resources: ["endpointslices"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end }}
