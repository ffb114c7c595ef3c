import type { PageRule, Site } from "../../schemas/tracking";
import type { FieldIssue } from "../../services/app-error";
import { Choice, Csrf, ListTable } from "./layout";

/**
 * Sites: the origins that run the snippet. Registering one lets its beacons in and lets every
 * form that names no origins take its posts. Its page rules give pages a class (pricing,
 * demo, …) that scoring and timing read; the tester shows what a URL would be. Each site's
 * chat settings have their own page (chat-settings.tsx).
 */

const errorFor = (issues: FieldIssue[], field: string) => issues.find((i) => i.field === field || i.field.startsWith(`${field}.`));

export function SiteList(props: { sites: Site[]; base: string; origin: string; issues: FieldIssue[]; csrf: string }) {
  const originError = errorFor(props.issues, "origin");
  return (
    <>
      <h2>The snippet</h2>
      <p>On every page of each site, before &lt;/body&gt;:</p>
      <pre id="snippet">{`<script src="${props.base}/s.js" async></script>`}</pre>
      <button type="button" class="secondary" data-copy="snippet">
        Copy the snippet
      </button>
      <h2>Your sites</h2>
      <ListTable
        columns={["Site", "Page rules", "Tracking", "Chat"]}
        empty="No site yet. Register the site your forms and snippet are on."
        rows={props.sites.map((site) => (
          <tr data-site={site.origin}>
            <td>
              <a href={`/dashboard/sites/edit?origin=${encodeURIComponent(site.origin)}`}>{site.origin}</a>
            </td>
            <td>{`${site.pageRules.length} rule${site.pageRules.length === 1 ? "" : "s"}`}</td>
            <td>{site.tracking === "individual" ? "page views tied to leads" : "counted only"}</td>
            <td>
              <a href={`/dashboard/sites/chat?origin=${encodeURIComponent(site.origin)}`}>{site.chat?.enabled ? "on" : "off"}</a>
            </td>
          </tr>
        ))}
      />
      <h2>Register a site</h2>
      <form method="post" action="/dashboard/sites" novalidate>
        <Csrf token={props.csrf} />
        {originError && (
          <p class="flash error" role="alert">
            The site was not registered; the reason is next to its field.
          </p>
        )}
        <div style="margin:.6rem 0">
          <label>
            The site's address (its origin)
            <br />
            <input name="origin" value={props.origin} placeholder="https://www.example.com" required maxlength={300} style="width:100%" />
          </label>
          <span class="muted" style="display:block">
            Scheme and host only, as the browser shows it: https://www.example.com. It starts with the usual page rules (pricing, demo, booking, case studies, blog).
          </span>
          {originError && (
            <span class="warn" style="display:block" role="alert" data-error-for="origin">
              {originError.message}
            </span>
          )}
        </div>
        <button type="submit">Register the site</button>
      </form>
    </>
  );
}

/** Blank rows the editor offers for new rules (a rule left blank is no rule). */
const BLANK_ROWS = 3;

export function SiteEditor(props: { site: Site; rules: PageRule[]; issues: FieldIssue[]; testUrl: string; testedClass: string | null | undefined; csrf: string }) {
  const { site, issues } = props;
  const rows = [...props.rules, ...Array.from({ length: BLANK_ROWS }, () => ({ pattern: "", class: "" }))];
  return (
    <>
      <h2>Page rules</h2>
      <p class="muted">
        The first rule whose pattern matches a page's path gives the page its class; * matches anything. Classes are lowercase words with dashes (pricing, demo, case-study).
      </p>
      <form method="post" action="/dashboard/sites/edit" novalidate>
        <Csrf token={props.csrf} />
        <input type="hidden" name="origin" value={site.origin} />
        {issues.length > 0 && (
          <p class="flash error" role="alert">
            {`${issues.length} rule${issues.length === 1 ? " needs" : "s need"} fixing; each reason is next to its rule.`}
          </p>
        )}
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>#</th>
                <th>Path pattern</th>
                <th>Class</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((rule, i) => {
                const issue = errorFor(issues, `pageRules.${i}`);
                return (
                  <tr data-rule={i}>
                    <td>{i + 1}</td>
                    <td>
                      <input name={`pattern_${i}`} aria-label={`Rule ${i + 1} path pattern`} value={rule.pattern} placeholder="/pricing*" maxlength={200} />
                    </td>
                    <td>
                      <input name={`class_${i}`} aria-label={`Rule ${i + 1} class`} value={rule.class} placeholder="pricing" maxlength={40} />
                      {issue && (
                        <span class="warn" style="display:block" role="alert" data-error-for={`pageRules.${i}`}>
                          {issue.message}
                        </span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <div style="margin:.6rem 0">
          <label>
            Page views from this site are
            <br />
            <Choice
              name="tracking"
              options={[
                ["individual", "tied to the lead once they identify themselves"],
                ["aggregate", "only counted, never tied to anyone"],
              ]}
              selected={site.tracking}
            />
          </label>
        </div>
        <p class="actions">
          <button type="submit">Save the rules</button>
          <a href={`/dashboard/sites/chat?origin=${encodeURIComponent(site.origin)}`}>Chat settings</a>
          <a href="/dashboard/sites">Back to sites</a>
        </p>
      </form>
      <h2>Try a URL</h2>
      <form method="get" action="/dashboard/sites/edit" class="filters">
        <input type="hidden" name="origin" value={site.origin} />
        <label>
          A page's URL
          <input name="test" value={props.testUrl} placeholder={`${site.origin}/pricing`} maxlength={2048} style="min-width:18rem" />
        </label>
        <button type="submit">Test the saved rules</button>
      </form>
      {props.testedClass !== undefined && (
        <p class="flash" data-testid="rule-test" data-class={props.testedClass ?? ""}>
          {props.testedClass === null ? `No rule matches ${props.testUrl}: it is an ordinary page.` : `${props.testUrl} is a ${props.testedClass} page.`}
        </p>
      )}
    </>
  );
}
