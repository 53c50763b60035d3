// A frontend team's first program over the generated client (openapi-typescript types,
// openapi-fetch calls): list, page, create, merge-patch, revalidate with an ETag, read the
// change feed, export CSV. Type-checked with `tsc --strict` and no casts, then run against a
// live server by tests/api/clients.rs (BASE_URL, TOKEN). Any failure exits non-zero.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/schema.js";

type Initiative = components["schemas"]["Initiative"];

const baseUrl = process.env["BASE_URL"];
const token = process.env["TOKEN"];
if (baseUrl === undefined || token === undefined) {
  throw new Error("set BASE_URL and TOKEN");
}
const client = createClient<paths>({ baseUrl });
const auth = { Authorization: `Bearer ${token}` };

function check(condition: boolean, what: string): void {
  if (!condition) {
    throw new Error(`failed: ${what}`);
  }
}

async function main(): Promise<void> {
  const coalition = await client.POST("/api/v1/coalitions", {
    headers: auth,
    body: {
      country_code: "LV",
      original_language: "lv",
      name: { lv: "TypeScript koalīcija", en: "TypeScript coalition" },
      status: "established",
      activity_areas: ["education"],
    },
  });
  if (coalition.data === undefined) {
    throw new Error(`create coalition: ${coalition.response.status} ${JSON.stringify(coalition.error)}`);
  }
  const coalitionId: string = coalition.data.id;

  const created: Initiative[] = [];
  for (const title of ["Coding club", "Digital teachers", "Data skills"]) {
    const reply = await client.POST("/api/v1/initiatives", {
      headers: { ...auth, "Idempotency-Key": `ts-${coalitionId}-${title.replaceAll(" ", "-")}` },
      body: {
        coalition_id: coalitionId,
        original_language: "en",
        title: { en: title },
        activity_areas: ["education"],
        countries: ["LV"],
        sphere: "national",
        status: "ongoing",
        start_date: "2024-01-15",
        publication: "published",
        website: "https://example.org",
      },
    });
    if (reply.data === undefined) {
      throw new Error(`create initiative: ${reply.response.status} ${JSON.stringify(reply.error)}`);
    }
    created.push(reply.data);
  }

  // Page through the coalition's initiatives two at a time.
  const titles: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof listPage>> = await listPage(coalitionId, cursor);
    if (page.data === undefined) {
      throw new Error(`list: ${page.response.status}`);
    }
    for (const initiative of page.data.data) {
      titles.push(initiative.display.title);
    }
    check(page.data.page.limit === 2, "page limit");
    cursor = page.data.page.next_cursor;
  } while (cursor !== null);
  check(titles.length === 3, `three initiatives paged, got ${titles.length}`);

  // A typed merge patch: clear an optional field, change one.
  const first = created[0];
  if (first === undefined) {
    throw new Error("no initiative");
  }
  const patched = await client.PATCH("/api/v1/initiatives/{id}", {
    params: { path: { id: first.id } },
    headers: { ...auth, "Content-Type": "application/merge-patch+json" },
    body: { website: null, title: { en: "Coding club (patched)", lv: "Programmēšanas pulciņš" } },
  });
  if (patched.data === undefined) {
    throw new Error(`patch: ${patched.response.status} ${JSON.stringify(patched.error)}`);
  }
  check(patched.data.website === null, "website cleared");
  check(patched.data.version === first.version + 1, "version moved");
  check(patched.data.title["lv"] === "Programmēšanas pulciņš", "a translation added by a merge patch");

  // Display strings in the language asked for.
  const latvian = await client.GET("/api/v1/initiatives/{id}", { params: { path: { id: first.id }, query: { lang: "lv" } } });
  check(latvian.data?.display.title === "Programmēšanas pulciņš", "display in Latvian");
  check(latvian.response.headers.get("content-language") === "lv", "Content-Language");
  const coalitionRead = await client.GET("/api/v1/coalitions/{id}", { params: { path: { id: coalitionId } } });
  check(coalitionRead.data?.display.name === "TypeScript koalīcija", "a coalition's display, original language");

  // Revalidate with the ETag: 304 while unchanged.
  const read = await client.GET("/api/v1/initiatives/{id}", { params: { path: { id: first.id } } });
  const etag = read.response.headers.get("etag");
  check(read.data !== undefined && etag !== null, "read with an ETag");
  const again = await client.GET("/api/v1/initiatives/{id}", {
    params: { path: { id: first.id }, header: { "If-None-Match": etag ?? "" } },
  });
  check(again.response.status === 304, `revalidated: ${again.response.status}`);

  // The change feed, typed: type and action are enums, data one of the records.
  let seenInitiatives = 0;
  const feed = await client.GET("/api/v1/changes", { params: { query: { wait: 0, limit: 100 } } });
  if (feed.data === undefined) {
    throw new Error(`feed: ${feed.response.status}`);
  }
  for (const change of feed.data.data) {
    if (change.type === "initiative" && change.action !== "deleted" && change.data !== null && "title" in change.data) {
      seenInitiatives += 1;
    }
  }
  check(seenInitiatives >= 3, `feed shows the initiatives (${seenInitiatives})`);

  // CSV is its own operation, a string.
  const csv = await client.GET("/api/v1/initiatives.csv", {
    params: { query: { coalition: [coalitionId] } },
    parseAs: "text",
  });
  check(typeof csv.data === "string" && csv.data.split("\n").length >= 4, "CSV export");

  console.log(`typescript client: ok (${titles.length} paged, patched v${patched.data.version}, ${seenInitiatives} in the feed)`);
}

function listPage(coalitionId: string, cursor: string | null) {
  return client.GET("/api/v1/initiatives", {
    params: { query: { coalition: [coalitionId], limit: 2, ...(cursor === null ? {} : { cursor }) } },
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
