// A shared Azure Monitor workbook (the operators' dashboard): throughput, failures by reason, throttling and
// success per mirror, from the app's own metrics (src/telemetry/names.ts; test/arm checks the names).

param location string
@description('Tags for every resource (name to value).')
param tags { *: string }
@description('Resource id of the Application Insights component the queries read.')
param applicationInsightsId string
@description('Seeds the workbook\'s name (a GUID), so a redeployment updates the same workbook.')
param nameSeed string

var panels = [
  {
    title: 'Throughput (bytes uploaded per hour)'
    query: 'customMetrics | where name == "graphmirror.bytes_uploaded" | summarize bytes = sum(valueSum) by bin(timestamp, 1h) | render timechart'
  }
  {
    title: 'Failed jobs by reason'
    query: 'customMetrics | where name == "graphmirror.jobs_failed" | summarize failed = sum(valueSum) by reason = tostring(customDimensions.reason), bin(timestamp, 1h) | render columnchart'
  }
  {
    title: 'Throttling (waits per hour, by kind)'
    query: 'customMetrics | where name == "graphmirror.throttle_waits" | summarize waits = sum(valueSum) by kind = tostring(customDimensions.kind), bin(timestamp, 1h) | render timechart'
  }
  {
    title: 'Success per mirror'
    query: 'customMetrics | where name in ("graphmirror.jobs_completed", "graphmirror.jobs_failed") | summarize completed = sumif(valueSum, name == "graphmirror.jobs_completed"), failed = sumif(valueSum, name == "graphmirror.jobs_failed") by mirror = tostring(customDimensions.mirror) | extend successRate = round(100.0 * completed / (completed + failed), 1) | order by successRate asc'
  }
  {
    title: 'Step duration (ms, average and longest per hour)'
    query: 'customMetrics | where name == "graphmirror.step_duration" | summarize avgMs = sum(valueSum) / sum(valueCount), maxMs = max(valueMax) by bin(timestamp, 1h) | render timechart'
  }
  {
    title: 'Oldest unfinished job (seconds)'
    query: 'customMetrics | where name == "graphmirror.oldest_active_job_age" | summarize oldestSeconds = max(value) by bin(timestamp, 5m) | render timechart'
  }
]

var items = [
  for (panel, i) in panels: {
    type: 3
    name: 'panel-${i}'
    content: {
      version: 'KqlItem/1.0'
      title: panel.title
      query: panel.query
      queryType: 0
      resourceType: 'microsoft.insights/components'
      timeContext: {
        durationMs: 604800000
      }
      size: 0
    }
  }
]

var content = {
  version: 'Notebook/1.0'
  items: items
  fallbackResourceIds: [applicationInsightsId]
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(nameSeed, 'graph-mirror-operations')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'graph-mirror operations'
    category: 'workbook'
    sourceId: applicationInsightsId
    serializedData: string(content)
  }
}

output workbookId string = workbook.id
