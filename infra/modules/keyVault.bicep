// Key Vault in RBAC mode holding the Graph app registration's client secret (or its certificate). The function
// app reads it only through a Key Vault reference in an app setting, resolved by the platform with the
// user-assigned identity (keyVaultReferenceIdentity in functionApp.bicep), which gets Key Vault Secrets User
// here. The secret itself is normally set after deployment (docs/runbook.md "Store the credential"), so it never
// passes through a template, a parameter file or deployment history; `clientSecret` exists for pipelines that
// hold it as a secret variable and is @secure() (never logged in deployment history, never an output).

param location string
@description('Tags for every resource (name to value).')
param tags { *: string }
param name string
@description('Principal (object) id of the function app identity that resolves the Key Vault references.')
param readerPrincipalId string
@description('Resource id of that identity. It seeds the role assignment names instead of the principal id, because it is known when the deployment starts (the principal id only once the identity exists), so what-if can predict the assignments.')
param appIdentityId string
@description('Optional principal (object) id that may set and rotate secrets (Key Vault Secrets Officer).')
param operatorPrincipalId string
@allowed(['User', 'Group', 'ServicePrincipal'])
param operatorPrincipalType string
@description('Name of the secret the client-secret app setting references.')
param clientSecretName string
@secure()
@description('Optional: the client secret value to store now. Empty = set it later with az keyvault secret set.')
param clientSecret string
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int
param enablePurgeProtection bool

// Built-in role definition ids (the same in every tenant): Key Vault Secrets User reads secret values,
// Key Vault Secrets Officer manages them (Azure built-in roles, Security category).
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'
var keyVaultSecretsOfficerRoleId = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    // Purge protection cannot be turned off once on; null leaves it off without sending `false`, which the
    // service rejects on a vault that has it on.
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appIdentityId, keyVaultSecretsUserRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: readerPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource secretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(vault.id, operatorPrincipalId, keyVaultSecretsOfficerRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficerRoleId)
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
  }
}

resource initialClientSecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = if (!empty(clientSecret)) {
  parent: vault
  name: clientSecretName
  properties: {
    value: clientSecret
    contentType: 'text/plain'
  }
}

output name string = vault.name
// https://<name>.vault.azure.net/ (trailing slash); references are built from it without a secret version,
// so a new version is picked up on rotation.
output vaultUri string = vault.properties.vaultUri
