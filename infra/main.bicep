// graph-mirror in Azure: a Flex Consumption function app (Node.js 22) running as a user-assigned managed
// identity, one storage account with shared-key access disabled, Application Insights on Log Analytics with
// identity-based ingestion, and a Key Vault (RBAC) holding the Graph credential, referenced from app settings.
//
// Deploy with `azd up` (azure.yaml at the repository root) or
// `az deployment group create -g <group> -f infra/main.bicep -p environmentName=<name> graphClientId=<app id>`.
// docs/runbook.md walks through both, and through the Graph permissions this app needs.
//
// NOT COMPILED HERE: the Bicep CLI downloads a binary this build machine cannot fetch. The file is kept to plain,
// documented constructs; test/unit/infra/appSettings.test.ts reads it as text and checks every app setting
// against the app's configuration parsers. Run `az bicep build -f infra/main.bicep` before the first deploy.
//
// App settings: every setting the app reads in Azure is set below. A parameter left at '' means "the app's
// built-in default" (the parsers treat an empty setting as unset); docs/runbook.md "Settings" lists each one.
// This template owns the app settings: a setting changed in the portal is overwritten by the next deployment.

targetScope = 'resourceGroup'

// ---------------------------------------------------------------------------------------------------------
// Deployment
// ---------------------------------------------------------------------------------------------------------

@minLength(1)
@maxLength(40)
@description('Name of this deployment (azd environment name); it seeds the unique resource names.')
param environmentName string

@description('Region for every resource; it must offer the Flex Consumption plan (az functionapp list-flexconsumption-locations).')
param location string = resourceGroup().location

@minValue(40)
@maxValue(1000)
@description('Most instances the app scales out to. Every instance writes to Graph: fewer instances, fewer 429s.')
param maximumInstanceCount int = 40

@allowed([2048, 4096])
@description('Memory per instance (MB). A step holds at most one chunk (CHUNK_SIZE) per job in memory.')
param instanceMemoryMB int = 2048

@description('Days Log Analytics keeps logs.')
param logRetentionInDays int = 30

@minValue(7)
@maxValue(90)
@description('Days a deleted Key Vault (and its secrets) stays recoverable.')
param keyVaultSoftDeleteRetentionInDays int = 7

@description('Turn on Key Vault purge protection (cannot be turned off again; blocks reusing the vault name for the retention period).')
param keyVaultPurgeProtection bool = false

@description('Optional object id of the person or group operating the app (azd sets AZURE_PRINCIPAL_ID): may set the Graph secret and read jobs, history and poison messages. Empty = no operator roles.')
param operatorPrincipalId string = ''

@allowed(['User', 'Group', 'ServicePrincipal'])
param operatorPrincipalType string = 'User'

// ---------------------------------------------------------------------------------------------------------
// Graph authentication (app-only; docs/runbook.md "Grant Graph permissions")
// ---------------------------------------------------------------------------------------------------------

@allowed(['client-secret', 'client-certificate', 'managed-identity'])
@description('How the app gets Graph tokens: an app registration with a secret or a certificate held in Key Vault, or the app\'s own managed identity granted Graph app roles (no secret at all).')
param graphAuthMode string = 'client-secret'

@description('Tenant of the app registration (AZURE_TENANT_ID). Defaults to this subscription\'s tenant.')
param graphTenantId string = tenant().tenantId

@description('Application (client) id of the app registration (AZURE_CLIENT_ID); required unless graphAuthMode is managed-identity.')
param graphClientId string = ''

// An empty client id would deploy an app whose every Graph call fails; stop the deployment here instead, with
// the reason (issue 12 item 4). fail() ends the deployment when the expression is evaluated.
var graphClientIdMissing = graphAuthMode != 'managed-identity' && empty(trim(graphClientId))
var checkedGraphClientId = graphClientIdMissing ? fail('graphClientId is empty: graphAuthMode ${graphAuthMode} needs the Application (client) id of the Graph app registration (azd env set GRAPH_CLIENT_ID <app id>, or -p graphClientId=<app id>).') : graphClientId

@description('Key Vault secret that holds the client secret (graphAuthMode client-secret).')
param graphClientSecretName string = 'graph-client-secret'

@secure()
@description('Optional: store this client secret in Key Vault now (pipelines with a secret variable). Empty = set it after deployment with az keyvault secret set (docs/runbook.md).')
param graphClientSecret string = ''

@description('Key Vault certificate (PEM, with its private key) for graphAuthMode client-certificate; referenced through its secret.')
param graphClientCertificateName string = 'graph-client-certificate'

@allowed(['true', 'false'])
@description('Send the certificate chain (x5c) for subject-name/issuer authentication (AZURE_CLIENT_SEND_CERTIFICATE_CHAIN).')
param graphSendCertificateChain string = 'false'

@allowed(['global', 'usgov', 'usgovdod', 'china'])
@description('National cloud: picks the login authority and the Graph endpoint as a pair (GRAPH_CLOUD).')
param graphCloud string = 'global'

@description('Optional login authority override (AZURE_AUTHORITY_HOST), e.g. https://login.microsoftonline.us. Empty = the cloud\'s.')
param authorityHost string = ''

// ---------------------------------------------------------------------------------------------------------
// Who may call the HTTP API (docs/http-api.md "Authentication", docs/runbook.md "Protect the HTTP API")
// ---------------------------------------------------------------------------------------------------------

@allowed(['functionKey', 'entra'])
@description('functionKey: the upload routes need a function key. entra: the platform\'s built-in authentication (Easy Auth) validates Microsoft Entra ID tokens for the API\'s app registration; POST/DELETE /api/uploads need the app role Uploads.Write, GET Uploads.Read, and the caller is recorded (API_AUTH).')
param apiAuth string = 'functionKey'

@description('Tenant of the API\'s app registration (apiAuth entra). Defaults to this subscription\'s tenant.')
param apiAuthTenantId string = tenant().tenantId

@description('Application (client) id of the API\'s app registration, the one defining the app roles Uploads.Write and Uploads.Read (apiAuth entra; required there).')
param apiAuthClientId string = ''

@description('Token audience the API accepts (apiAuth entra). Empty = api://<apiAuthClientId>.')
param apiAuthAudience string = ''

var apiAuthClientIdMissing = apiAuth == 'entra' && empty(trim(apiAuthClientId))
var checkedApiAuthClientId = apiAuthClientIdMissing ? fail('apiAuthClientId is empty: apiAuth entra needs the Application (client) id of the API\'s app registration (azd env set API_AUTH_CLIENT_ID <app id>).') : apiAuthClientId

// ---------------------------------------------------------------------------------------------------------
// Uploads (empty = the app's default, shown in brackets)
// ---------------------------------------------------------------------------------------------------------

@description('Graph endpoint (GRAPH_BASE_URL) [the graphCloud\'s, e.g. https://graph.microsoft.com/v1.0]; its origin is the token audience. Override only for a proxy.')
param graphBaseUrl string = ''

@description('Upload chunk size (CHUNK_SIZE) [10MiB]; a multiple of 320 KiB under 60 MiB.')
param chunkSize string = ''

@description('Files up to this size go by simple upload (SIMPLE_UPLOAD_MAX) [4MiB].')
param simpleUploadMax string = ''

@description('Deadline of every Graph request in ms (GRAPH_REQUEST_TIMEOUT_MS) [120000].')
param graphRequestTimeoutMs string = ''

// ---------------------------------------------------------------------------------------------------------
// Pipeline and storage names
// ---------------------------------------------------------------------------------------------------------

@description('Queue that wakes the step function (WAKE_QUEUE); must match the app\'s default unless changed on both sides.')
param wakeQueueName string = 'upload-wakes'

@description('Job table (JOBS_TABLE) [uploadjobs].')
param jobsTable string = ''

@description('Per-drive throttle table (THROTTLE_TABLE) [drivethrottle].')
param throttleTable string = ''

@description('Deadline of one step in seconds (STEP_DEADLINE_SECONDS) [120]; at most 480.')
param stepDeadlineSeconds string = ''

@description('Sweeper re-wakes a job this many seconds overdue (SWEEP_GRACE_SECONDS) [120].')
param sweepGraceSeconds string = ''

@description('Most jobs one sweeper run re-wakes (SWEEP_BATCH) [200].')
param sweepBatch string = ''

// ---------------------------------------------------------------------------------------------------------
// HTTP API sources and staging
// ---------------------------------------------------------------------------------------------------------

@description('Blob containers in this storage account that blob sources may name (ALLOWED_BLOB_CONTAINERS); created empty. [] = blob sources refused.')
param allowedBlobContainers string[] = []

@description('Private networks URL sources may reach, CIDR list (URL_SOURCE_ALLOWED_NETWORKS). Empty = public addresses only.')
param urlSourceAllowedNetworks string = ''

@description('Absolute directories file sources may lie under (ALLOWED_FILE_ROOTS). Flex Consumption has no durable local disk: normally empty.')
param allowedFileRoots string = ''

@description('Container octet-stream request bodies are staged in (STAGING_CONTAINER).')
param stagingContainerName string = 'graph-mirror-staging'

@description('Largest octet-stream body in bytes (STAGING_MAX_BYTES) [107374182400].')
param stagingMaxBytes string = ''

@description('Deadline for receiving a whole octet-stream body in seconds (STAGING_TIMEOUT_SECONDS) [220].')
param stagingTimeoutSeconds string = ''

@description('Largest JSON request body in bytes (HTTP_JSON_MAX_BYTES) [65536].')
param httpJsonMaxBytes string = ''

// ---------------------------------------------------------------------------------------------------------
// Mirrors (docs/runbook.md "Configure mirrors")
// ---------------------------------------------------------------------------------------------------------

@description('When the mirror timer runs: NCRONTAB with seconds (MIRROR_SCHEDULE), read when the app starts.')
param mirrorSchedule string = '0 0 * * * *'

@description('Seconds a resolved site/drive id is reused (MIRROR_RESOLVE_TTL) [3600].')
param mirrorResolveTtl string = ''

// The mirror definitions live in infra/mirrors.json (a JSON list of mirrors), compiled into the MIRRORS setting.
// No credentials belong there: use blob sources (read with the managed identity), not URLs carrying SAS tokens.
var mirrorsJson = string(loadJsonContent('mirrors.json'))

// ---------------------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------------------

var resourceToken = toLower(uniqueString(resourceGroup().id, environmentName))
var tags = {
  'azd-env-name': environmentName
  app: 'graph-mirror'
}
var deploymentContainerName = 'app-package'

// Alerts (infra/modules/alerts.bicep; docs/runbook.md "Alerts")
@description('Resource id of an existing action group the alert rules notify. Empty: one is created for alertEmail.')
param alertActionGroupId string = ''
@description('Mail address the alert rules notify, through a new action group, when alertActionGroupId is empty. With neither, the rules fire in the portal only.')
param alertEmail string = ''
@description('Alert when fewer than this percentage of jobs succeeded over an hour.')
@minValue(1)
@maxValue(100)
param alertSuccessRatePercent int = 90
@description('Alert when a job has not finished after this many minutes.')
@minValue(10)
param alertStuckJobMinutes int = 120
@description('Alert when the storage account\'s queues hold more messages than this.')
@minValue(1)
param alertQueueBacklog int = 1000

// ---------------------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------------------

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-graph-mirror-${resourceToken}'
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: tags
    logAnalyticsName: 'log-graph-mirror-${resourceToken}'
    applicationInsightsName: 'appi-graph-mirror-${resourceToken}'
    publisherPrincipalId: identity.properties.principalId
    appIdentityId: identity.id
    retentionInDays: logRetentionInDays
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    storageAccountId: storage.outputs.id
    actionGroupId: alertActionGroupId
    alertEmail: alertEmail
    namePrefix: 'graph-mirror-${resourceToken}'
    successRateThresholdPercent: alertSuccessRatePercent
    stuckJobMinutes: alertStuckJobMinutes
    queueBacklogThreshold: alertQueueBacklog
  }
}

module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  params: {
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    nameSeed: resourceToken
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    tags: tags
    name: 'stgm${resourceToken}'
    deploymentContainerName: deploymentContainerName
    stagingContainerName: stagingContainerName
    sourceContainerNames: allowedBlobContainers
    wakeQueueName: wakeQueueName
    appPrincipalId: identity.properties.principalId
    appIdentityId: identity.id
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
  }
}

module keyVault 'modules/keyVault.bicep' = {
  name: 'keyVault'
  params: {
    location: location
    tags: tags
    name: 'kv-gm-${resourceToken}'
    readerPrincipalId: identity.properties.principalId
    appIdentityId: identity.id
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
    clientSecretName: graphClientSecretName
    clientSecret: graphClientSecret
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    enablePurgeProtection: keyVaultPurgeProtection
  }
}

// ---------------------------------------------------------------------------------------------------------
// App settings. One `NAME: value` per line: test/support/bicepText.ts parses these blocks as text.
// ---------------------------------------------------------------------------------------------------------

var commonSettings = {
  // Host and app storage, identity-based: the host and the app's own table/queue/blob clients read the same
  // AzureWebJobsStorage__* settings (src/config/storage.ts; Microsoft docs "Connecting to host storage with an
  // identity"). No connection string, no key.
  AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
  AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
  AzureWebJobsStorage__tableServiceUri: storage.outputs.tableEndpoint
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
  // Application Insights with Microsoft Entra ingestion (local auth is disabled on the component).
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
  // Graph
  GRAPH_CLOUD: graphCloud
  AZURE_AUTHORITY_HOST: authorityHost
  GRAPH_BASE_URL: graphBaseUrl
  CHUNK_SIZE: chunkSize
  SIMPLE_UPLOAD_MAX: simpleUploadMax
  GRAPH_REQUEST_TIMEOUT_MS: graphRequestTimeoutMs
  // Pipeline
  WAKE_QUEUE: wakeQueueName
  JOBS_TABLE: jobsTable
  THROTTLE_TABLE: throttleTable
  STEP_DEADLINE_SECONDS: stepDeadlineSeconds
  SWEEP_GRACE_SECONDS: sweepGraceSeconds
  SWEEP_BATCH: sweepBatch
  // HTTP API
  ALLOWED_BLOB_CONTAINERS: join(allowedBlobContainers, ',')
  URL_SOURCE_ALLOWED_NETWORKS: urlSourceAllowedNetworks
  ALLOWED_FILE_ROOTS: allowedFileRoots
  STAGING_CONTAINER: stagingContainerName
  STAGING_MAX_BYTES: stagingMaxBytes
  STAGING_TIMEOUT_SECONDS: stagingTimeoutSeconds
  HTTP_JSON_MAX_BYTES: httpJsonMaxBytes
  API_AUTH: apiAuth
  // Mirrors
  MIRRORS: mirrorsJson
  MIRROR_SCHEDULE: mirrorSchedule
  MIRROR_RESOLVE_TTL: mirrorResolveTtl
}

// Secrets appear only as Key Vault references without a version: the latest version is used, so a rotation
// is picked up without redeploying (App Service docs, "Use Key Vault references", "Rotation").
var clientSecretAuthSettings = {
  AUTH_MODE: 'client-secret'
  AZURE_TENANT_ID: graphTenantId
  AZURE_CLIENT_ID: checkedGraphClientId
  AZURE_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.vaultUri}secrets/${graphClientSecretName}/)'
}

var clientCertificateAuthSettings = {
  AUTH_MODE: 'client-certificate'
  AZURE_TENANT_ID: graphTenantId
  AZURE_CLIENT_ID: checkedGraphClientId
  AZURE_CLIENT_CERTIFICATE_PEM: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.vaultUri}secrets/${graphClientCertificateName}/)'
  AZURE_CLIENT_SEND_CERTIFICATE_CHAIN: graphSendCertificateChain
}

var managedIdentityAuthSettings = {
  AUTH_MODE: 'managed-identity'
  AZURE_MANAGED_IDENTITY_CLIENT_ID: identity.properties.clientId
}

var authSettingsByMode = {
  'client-secret': clientSecretAuthSettings
  'client-certificate': clientCertificateAuthSettings
  'managed-identity': managedIdentityAuthSettings
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionApp'
  params: {
    location: location
    tags: tags
    planName: 'plan-graph-mirror-${resourceToken}'
    name: 'func-graph-mirror-${resourceToken}'
    identityId: identity.id
    deploymentContainerUrl: '${storage.outputs.blobEndpoint}${deploymentContainerName}'
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    appSettings: union(commonSettings, authSettingsByMode[graphAuthMode])
    azdServiceName: 'api'
    entraAuth: apiAuth == 'entra'
      ? {
          clientId: checkedApiAuthClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${apiAuthTenantId}/v2.0'
          audience: empty(apiAuthAudience) ? 'api://${checkedApiAuthClientId}' : apiAuthAudience
        }
      : null
  }
}

// ---------------------------------------------------------------------------------------------------------
// Outputs (azd stores them in .azure/<env>/.env). Names and ids only: never a secret, key or connection string.
// ---------------------------------------------------------------------------------------------------------

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup().name
output FUNCTION_APP_NAME string = functionApp.outputs.name
output FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output KEY_VAULT_NAME string = keyVault.outputs.name
output APPLICATION_INSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output LOG_ANALYTICS_NAME string = monitoring.outputs.logAnalyticsName
output MANAGED_IDENTITY_CLIENT_ID string = identity.properties.clientId
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
