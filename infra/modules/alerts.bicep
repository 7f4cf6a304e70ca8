// Alert rules an operator needs (issue 12 item 2), to an action group the deployer names: an existing one by
// resource id, or a new one that mails one address. With neither, the rules still exist and fire in the portal.
// The metric and event names are the app's own (src/telemetry/names.ts); test/arm checks they match.
// Counters reach Application Insights through the Azure Monitor OpenTelemetry distribution as `customMetrics`
// rows (valueSum per export interval); the app's warning/error logs reach `traces` through the Functions host.

param location string
@description('Tags for every resource (name to value).')
param tags { *: string }
@description('Resource id of the Application Insights component the app sends telemetry to.')
param applicationInsightsId string
@description('Resource id of the storage account that holds the queues.')
param storageAccountId string
@description('Resource id of an existing action group; empty to create one for alertEmail (or none).')
param actionGroupId string
@description('Mail address for a new action group; used when actionGroupId is empty.')
param alertEmail string
@description('Name prefix for the rules.')
param namePrefix string
@description('Alert when the success rate over an hour falls below this percentage.')
@minValue(1)
@maxValue(100)
param successRateThresholdPercent int
@description('Alert when a job has not finished after this many minutes.')
@minValue(10)
param stuckJobMinutes int
@description('Alert when the queues of the storage account hold more messages than this (a backlog).')
@minValue(1)
param queueBacklogThreshold int

var createActionGroup = empty(actionGroupId) && !empty(alertEmail)

resource mailGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (createActionGroup) {
  name: 'ag-${namePrefix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'graphmirror'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var targetGroupId = !empty(actionGroupId) ? actionGroupId : (createActionGroup ? mailGroup.id : '')
var actionGroups = empty(targetGroupId) ? [] : [targetGroupId]
var metricAlertActions = [for id in actionGroups: { actionGroupId: id }]

// One scheduled query per condition; every one reads the Application Insights component's own tables.
var queryRules = [
  {
    key: 'failed-jobs'
    description: 'Upload jobs failed (any reason) in the last 15 minutes: see the runbook, "Failed jobs".'
    severity: 1
    window: 'PT15M'
    query: 'customMetrics | where name == "graphmirror.jobs_failed" | summarize failed = sum(valueSum) by reason = tostring(customDimensions.reason) | where failed > 0'
  }
  {
    key: 'poisoned-jobs'
    description: 'A wake message was poisoned (its step kept failing) and its job failed: see the runbook, "Poisoned messages".'
    severity: 1
    window: 'PT15M'
    query: 'traces | where severityLevel >= 3 and message has "job-poisoned"'
  }
  {
    key: 'success-rate'
    description: 'Fewer jobs than the threshold succeeded over the last hour.'
    severity: 2
    window: 'PT1H'
    query: 'customMetrics | where name in ("graphmirror.jobs_completed", "graphmirror.jobs_failed") | summarize completed = sumif(valueSum, name == "graphmirror.jobs_completed"), failed = sumif(valueSum, name == "graphmirror.jobs_failed") | where completed + failed > 0 | extend successRate = 100.0 * completed / (completed + failed) | where successRate < ${successRateThresholdPercent}'
  }
  {
    key: 'stuck-jobs'
    description: 'The oldest unfinished job is older than ${stuckJobMinutes} minutes (measured by the sweeper every five minutes).'
    severity: 2
    window: 'PT30M'
    query: 'customMetrics | where name == "graphmirror.oldest_active_job_age" | summarize oldestSeconds = max(value) | where oldestSeconds > ${stuckJobMinutes * 60}'
  }
]

resource scheduledQueries 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in queryRules: {
    name: 'alert-${namePrefix}-${rule.key}'
    location: location
    tags: tags
    properties: {
      displayName: 'graph-mirror: ${rule.key}'
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [applicationInsightsId]
      evaluationFrequency: 'PT5M'
      windowSize: rule.window
      autoMitigate: true
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      actions: {
        actionGroups: actionGroups
      }
    }
  }
]

// Queue Storage publishes QueueMessageCount for the whole account (no per-queue dimension, hourly): a backlog
// signal across the wake queue and its poison queue. The poison queue itself is drained at once by the
// uploadWakePoison function, whose failures the poisoned-jobs rule above reports.
resource queueBacklog 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-${namePrefix}-queue-backlog'
  location: 'global'
  tags: tags
  properties: {
    description: 'The storage account\'s queues hold more than ${queueBacklogThreshold} messages: uploads are not keeping up, or poison messages are piling up.'
    severity: 2
    enabled: true
    scopes: ['${storageAccountId}/queueServices/default']
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    targetResourceType: 'Microsoft.Storage/storageAccounts/queueServices'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'QueueMessageCount'
          metricNamespace: 'Microsoft.Storage/storageAccounts/queueServices'
          metricName: 'QueueMessageCount'
          operator: 'GreaterThan'
          threshold: queueBacklogThreshold
          timeAggregation: 'Average'
        }
      ]
    }
    actions: metricAlertActions
  }
}

output actionGroupId string = targetGroupId
output ruleNames string[] = [for (rule, i) in queryRules: scheduledQueries[i].name]
