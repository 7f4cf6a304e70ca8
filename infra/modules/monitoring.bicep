// Log Analytics workspace + workspace-based Application Insights with local (instrumentation-key) auth
// disabled: telemetry is accepted only from Microsoft Entra identities holding Monitoring Metrics Publisher,
// which the function app's user-assigned identity gets below (identity-based ingestion,
// APPLICATIONINSIGHTS_AUTHENTICATION_STRING in main.bicep).
// API versions as in Microsoft's Flex Consumption quickstart (azure-quickstart-templates,
// quickstarts/microsoft.web/function-app-flex-managed-identities/main.bicep).

param location string
@description('Tags for every resource (name to value).')
param tags { *: string }
param logAnalyticsName string
param applicationInsightsName string
@description('Principal (object) id of the function app identity that sends telemetry.')
param publisherPrincipalId string
@description('Resource id of that identity. It seeds the role assignment names instead of the principal id, because it is known when the deployment starts (the principal id only once the identity exists), so what-if can predict the assignments.')
param appIdentityId string
@description('Days Log Analytics keeps logs.')
param retentionInDays int

// Built-in role "Monitoring Metrics Publisher" (same id in every tenant; Microsoft's quickstart above).
var monitoringMetricsPublisherRoleId = '3913510d-42f4-4e42-8a64-420c390055eb'

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-07-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    retentionInDays: retentionInDays
    sku: {
      name: 'PerGB2018'
    }
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    DisableLocalAuth: true
  }
}

resource publisherRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appIdentityId, monitoringMetricsPublisherRoleId)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisherRoleId)
    principalId: publisherPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output applicationInsightsName string = applicationInsights.name
output applicationInsightsId string = applicationInsights.id
// The connection string names the ingestion endpoint; with DisableLocalAuth it grants nothing on its own.
output connectionString string = applicationInsights.properties.ConnectionString
output logAnalyticsName string = logAnalytics.name
