// The one storage account: Functions host state (AzureWebJobsStorage), the Flex Consumption deployment
// package, and the app's own tables (jobs, throttle, mirror manifest/history), queues (wake-ups) and blobs
// (staged HTTP bodies, blob sources). Shared-key access is disabled: every client, the host's included,
// authenticates with Microsoft Entra ID (the user-assigned identity and its role assignments below).
// API version and role ids as in Microsoft's Flex Consumption quickstart (azure-quickstart-templates,
// quickstarts/microsoft.web/function-app-flex-managed-identities/main.bicep).

param location string
@description('Tags for every resource (name to value).')
param tags { *: string }
param name string
@description('Container the Flex Consumption plan deploys the app package to.')
param deploymentContainerName string
@description('Container octet-stream request bodies are staged in (STAGING_CONTAINER).')
param stagingContainerName string
@description('Containers that blob sources may name (ALLOWED_BLOB_CONTAINERS); created empty.')
param sourceContainerNames string[]
@description('Queue the step function is triggered by (WAKE_QUEUE); the host moves failures to <name>-poison.')
param wakeQueueName string
@description('Principal (object) id of the function app identity.')
param appPrincipalId string
@description('Resource id of that identity. It seeds the role assignment names instead of the principal id, because it is known when the deployment starts (the principal id only once the identity exists), so what-if can predict the assignments.')
param appIdentityId string
@description('Optional principal (object) id of a person or group operating the app; empty = none.')
param operatorPrincipalId string
@allowed(['User', 'Group', 'ServicePrincipal'])
param operatorPrincipalType string

// Built-in role definition ids (the same in every tenant), cited from the quickstart above.
var storageBlobDataOwnerRoleId = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var storageQueueDataContributorRoleId = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
var storageTableDataContributorRoleId = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'

// The app identity: Blob Data Owner (the host's deployment and lease blobs need more than Contributor),
// queue and table data access for the pipeline and the mirror.
var appRoles = [
  storageBlobDataOwnerRoleId
  storageQueueDataContributorRoleId
  storageTableDataContributorRoleId
]
// The operator: read history tables, peek or re-queue poison messages, upload blob sources.
var operatorRoles = [
  storageBlobDataContributorRoleId
  storageQueueDataContributorRoleId
  storageTableDataContributorRoleId
]

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    dnsEndpointType: 'Standard'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = [
  for containerName in union([deploymentContainerName, stagingContainerName], sourceContainerNames): {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

// The app also creates these on first use; creating them here keeps the queue triggers from polling
// queues that do not exist yet.
resource wakeQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' = {
  parent: queueService
  name: wakeQueueName
}

resource poisonQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' = {
  parent: queueService
  name: '${wakeQueueName}-poison'
}

resource appRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in appRoles: {
    name: guid(storage.id, appIdentityId, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource operatorRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in operatorRoles: if (!empty(operatorPrincipalId)) {
    name: guid(storage.id, operatorPrincipalId, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: operatorPrincipalId
      principalType: operatorPrincipalType
    }
  }
]

output name string = storage.name
output id string = storage.id
// Service endpoints as Azure reports them (https://<account>.<service>.core.windows.net/ in the public cloud;
// other suffixes in sovereign clouds), so the app settings below never hard-code a DNS suffix.
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
