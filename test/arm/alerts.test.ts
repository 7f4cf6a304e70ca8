/**
 * The compiled alert rules and workbook (infra/modules/alerts.bicep, workbook.bicep) against the code: every
 * rule exists, notifies the action group the deployer named (an existing one by id, or one created for a mail
 * address), and queries the metric and event names the app emits (src/telemetry/names.ts), so renaming a
 * metric in the code without the infrastructure fails here.
 */
import { describe, expect, it } from "vitest";
import { ALERT_EVENTS, METRICS } from "../../src/telemetry/names.js";
import {
  deployedResources,
  type Json,
  loadMainTemplate,
  moduleScope,
  PLATFORM_REFERENCES,
  type Scope,
} from "./armTemplate.js";

const template = loadMainTemplate();
const EXISTING_GROUP =
  "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ops/providers/Microsoft.Insights/actionGroups/oncall";

function deployed(module: string, inputs: Record<string, Json> = {}) {
  const main: Scope = {
    template,
    inputs: { environmentName: "prod", graphClientId: "5b1d7e3a-2c4f-4a8b-9e6d-1f0a2b3c4d5e", ...inputs },
    references: PLATFORM_REFERENCES,
  };
  return deployedResources(moduleScope(main, module));
}

function queryRules(inputs: Record<string, Json> = {}) {
  return deployed("alerts", inputs).filter((r) => r.type === "Microsoft.Insights/scheduledQueryRules");
}

function queryOf(rule: { properties: Record<string, Json> }): string {
  const criteria = rule.properties.criteria as { allOf: { query: string }[] };
  return criteria.allOf.map((c) => c.query).join("\n");
}

function ruleNamed(key: string, inputs: Record<string, Json> = {}) {
  const rule = queryRules(inputs).find((r) => r.name.endsWith(`-${key}`));
  expect(rule, `alert rule ${key}`).toBeDefined();
  return rule as NonNullable<typeof rule>;
}

describe("alert rules", () => {
  it("has a rule for failed jobs, poisoned jobs, the success rate and stuck jobs, plus a queue backlog alert", () => {
    const keys = queryRules().map((r) => r.name.replace(/^alert-graph-mirror-[a-z0-9]+-/, ""));
    expect(keys.sort()).toEqual(["failed-jobs", "poisoned-jobs", "stuck-jobs", "success-rate"]);
    const metric = deployed("alerts").filter((r) => r.type === "Microsoft.Insights/metricAlerts");
    expect(metric).toHaveLength(1);
    const criteria = metric[0]?.properties.criteria as {
      allOf: { metricName: string; metricNamespace: string }[];
    };
    expect(criteria.allOf[0]).toMatchObject({
      metricName: "QueueMessageCount",
      metricNamespace: "Microsoft.Storage/storageAccounts/queueServices",
    });
    expect(metric[0]?.properties.scopes).toEqual([
      expect.stringMatching(
        /\/providers\/Microsoft\.Storage\/storageAccounts\/[^/]+\/queueServices\/default$/,
      ),
    ]);
  });

  it("queries the names the app emits", () => {
    expect(queryOf(ruleNamed("failed-jobs"))).toContain(`"${METRICS.jobsFailed}"`);
    expect(queryOf(ruleNamed("poisoned-jobs"))).toContain(`"${ALERT_EVENTS.jobPoisoned}"`);
    expect(queryOf(ruleNamed("poisoned-jobs"))).toContain("severityLevel >= 3");
    const rate = queryOf(ruleNamed("success-rate", { alertSuccessRatePercent: 95 }));
    expect(rate).toContain(`"${METRICS.jobsCompleted}"`);
    expect(rate).toContain(`"${METRICS.jobsFailed}"`);
    expect(rate).toContain("successRate < 95");
    const stuck = queryOf(ruleNamed("stuck-jobs", { alertStuckJobMinutes: 45 }));
    expect(stuck).toContain(`"${METRICS.oldestActiveJobAge}"`);
    expect(stuck).toContain("oldestSeconds > 2700");
    for (const rule of queryRules())
      expect(rule.properties.scopes).toEqual([
        expect.stringMatching(/\/providers\/Microsoft\.Insights\/components\/appi-graph-mirror-/),
      ]);
  });

  it("notifies an existing action group named by id, and creates none", () => {
    const inputs = { alertActionGroupId: EXISTING_GROUP, alertEmail: "ops@contoso.com" };
    expect(deployed("alerts", inputs).filter((r) => r.type === "Microsoft.Insights/actionGroups")).toEqual(
      [],
    );
    for (const rule of queryRules(inputs))
      expect(rule.properties.actions).toEqual({ actionGroups: [EXISTING_GROUP] });
    const metric = deployed("alerts", inputs).find((r) => r.type === "Microsoft.Insights/metricAlerts");
    expect(metric?.properties.actions).toEqual([{ actionGroupId: EXISTING_GROUP }]);
  });

  it("creates an action group that mails the address given, and every rule notifies it", () => {
    const resources = deployed("alerts", { alertEmail: "ops@contoso.com" });
    const groups = resources.filter((r) => r.type === "Microsoft.Insights/actionGroups");
    expect(groups).toHaveLength(1);
    expect(groups[0]?.properties.emailReceivers).toEqual([
      expect.objectContaining({ emailAddress: "ops@contoso.com" }),
    ]);
    const groupId = expect.stringMatching(new RegExp(`/actionGroups/${groups[0]?.name}$`));
    for (const rule of resources.filter((r) => r.type === "Microsoft.Insights/scheduledQueryRules"))
      expect(rule.properties.actions).toEqual({ actionGroups: [groupId] });
  });

  it("without a group or an address, the rules exist and notify nobody", () => {
    expect(deployed("alerts").filter((r) => r.type === "Microsoft.Insights/actionGroups")).toEqual([]);
    for (const rule of queryRules()) expect(rule.properties.actions).toEqual({ actionGroups: [] });
  });
});

describe("workbook", () => {
  it("shows throughput, failures by reason, throttling and success per mirror from the app's metrics", () => {
    const [workbook, ...more] = deployed("workbook").filter((r) => r.type === "Microsoft.Insights/workbooks");
    expect(more).toEqual([]);
    const data = JSON.parse(String(workbook?.properties.serializedData)) as {
      items: { content: { title: string; query: string } }[];
    };
    const panel = (title: RegExp) => data.items.find((i) => title.test(i.content.title))?.content.query ?? "";
    expect(panel(/throughput/i)).toContain(`"${METRICS.bytesUploaded}"`);
    expect(panel(/failed jobs by reason/i)).toContain(`"${METRICS.jobsFailed}"`);
    expect(panel(/failed jobs by reason/i)).toContain("customDimensions.reason");
    expect(panel(/throttling/i)).toContain(`"${METRICS.throttleWaits}"`);
    expect(panel(/success per mirror/i)).toContain("customDimensions.mirror");
    expect(panel(/step duration/i)).toContain(`"${METRICS.stepDuration}"`);
  });
});
