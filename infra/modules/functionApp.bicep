// Flex Consumption (FC1) plan and the function app on Node.js 22. In this plan the runtime and its version live
// in functionAppConfig.runtime, not in FUNCTIONS_WORKER_RUNTIME / WEBSITE_NODE_DEFAULT_VERSION app settings, and
// the code package goes to a blob container the platform reads with the user-assigned identity (Microsoft's
// Flex Consumption quickstart, azure-quickstart-templates
// quickstarts/microsoft.web/function-app-flex-managed-identities/main.bicep; Microsoft.Web 2024-04-01).

param location string
@description('Tags for every resource (name to value).')
param tags { *: string }
param planName string
param name string
@description('Resource id of the user-assigned identity the app runs as.')
param identityId string
@description('Blob container URL the Flex Consumption plan deploys the package to.')
param deploymentContainerUrl string
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int
@allowed([2048, 4096])
param instanceMemoryMB int
@description('Every app setting (main.bicep builds them; secrets only as Key Vault references).')
param appSettings { *: string }
@description('azd finds the app to deploy to by this tag (azure.yaml service name).')
param azdServiceName string

@description('Microsoft Entra ID sign-in through the platform\'s built-in authentication (API_AUTH=entra), or null: off (function keys).')
param entraAuth entraAuthSettings?

@description('The API\'s app registration as Easy Auth validates its tokens.')
type entraAuthSettings = {
  @description('Application (client) id of the API\'s app registration.')
  clientId: string
  @description('Issuer: <login endpoint><tenant>/v2.0.')
  openIdIssuer: string
  @description('The token audience the API accepts.')
  audience: string
}


resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': azdServiceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references (@Microsoft.KeyVault(SecretUri=...)) resolve with this identity instead of a
    // system-assigned one, which this app does not have (App Service docs, "Use Key Vault references",
    // "Access vaults with a user-assigned identity").
    keyVaultReferenceIdentity: identityId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }

  // App settings as their own resource, after the site exists (App Service docs, "Use Key Vault references",
  // "Azure Resource Manager deployment").
  resource settings 'config' = {
    name: 'appsettings'
    properties: appSettings
  }

  // Easy Auth (App Service/Functions built-in authentication, authsettingsV2). It validates the token, answers
  // 401 itself to a request without one, removes any client-supplied x-ms-client-principal and passes the
  // validated principal to the function in that header; the handlers check the app roles (src/api/authorize.ts).
  // It guards the whole app, so /api/health is excluded: probes keep using the function key. Deployed in both
  // modes, so switching back to function keys turns it off instead of leaving the last configuration behind.
  resource authentication 'config' = {
    name: 'authsettingsV2'
    properties: entraAuth == null
      ? {
          platform: {
            enabled: false
          }
        }
      : {
          platform: {
            enabled: true
          }
          globalValidation: {
            requireAuthentication: true
            unauthenticatedClientAction: 'Return401'
            excludedPaths: ['/api/health']
          }
          httpSettings: {
            requireHttps: true
          }
          login: {
            tokenStore: {
              enabled: false
            }
          }
          identityProviders: {
            azureActiveDirectory: {
              enabled: true
              registration: {
                clientId: entraAuth.?clientId ?? ''
                openIdIssuer: entraAuth.?openIdIssuer ?? ''
              }
              validation: {
                allowedAudiences: [entraAuth.?audience ?? '']
              }
            }
          }
        }
  }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
