-- A local broker database written by pactdsl with schema version 3 (before provider
-- contracts): shop 1.0.0 published a pact with pets, which pets 1.0.0 failed to verify;
-- both are deployed to production. Made with sqlite3's iterdump.
BEGIN TRANSACTION;
CREATE TABLE deployments (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES versions(id),
    environment_id INTEGER NOT NULL REFERENCES environments(id),
    application_instance TEXT NOT NULL DEFAULT '',
    currently_deployed INTEGER NOT NULL DEFAULT 1,
    deployed_at TEXT NOT NULL,
    undeployed_at TEXT
);
INSERT INTO "deployments" VALUES(1,2,1,'',1,'2026-12-07T01:12:47.912806+00:00',NULL);
INSERT INTO "deployments" VALUES(2,1,1,'',1,'2026-12-07T01:12:47.914124+00:00',NULL);
CREATE TABLE environments (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT,
    production INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
INSERT INTO "environments" VALUES(1,'7958c134-8fb4-4a7c-a5ff-78217a1ccc34','production','production',1,'2026-12-07T01:12:47.911511+00:00');
CREATE TABLE pact_contents (
    id INTEGER PRIMARY KEY,
    sha TEXT NOT NULL UNIQUE,
    consumer_id INTEGER NOT NULL REFERENCES pacticipants(id),
    provider_id INTEGER NOT NULL REFERENCES pacticipants(id),
    content TEXT NOT NULL,
    created_at TEXT NOT NULL
);
INSERT INTO "pact_contents" VALUES(1,'e01d989b7c4cdf69b8ba6bf067be6fb0638f12fd67d061698ba0914392c18656',1,2,'{
  "consumer": {
    "name": "shop"
  },
  "interactions": [
    {
      "description": "list pets",
      "request": {
        "method": "GET",
        "path": "/pets"
      },
      "response": {
        "body": [
          {
            "id": 1,
            "name": "Rex"
          }
        ],
        "headers": {
          "Content-Type": "application/json"
        },
        "status": 200
      }
    }
  ],
  "metadata": {
    "pactSpecification": {
      "version": "3.0.0"
    },
    "pactdsl": {
      "version": "0.1.0"
    }
  },
  "provider": {
    "name": "pets"
  }
}','2026-12-07T01:12:47.908295+00:00');
CREATE TABLE pact_publications (
    id INTEGER PRIMARY KEY,
    consumer_version_id INTEGER NOT NULL REFERENCES versions(id),
    provider_id INTEGER NOT NULL REFERENCES pacticipants(id),
    pact_content_id INTEGER NOT NULL REFERENCES pact_contents(id),
    created_at TEXT NOT NULL,
    UNIQUE (consumer_version_id, provider_id)
);
INSERT INTO "pact_publications" VALUES(1,1,2,1,'2026-12-07T01:12:47.908366+00:00');
CREATE TABLE pacticipants (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
INSERT INTO "pacticipants" VALUES(1,'shop','2026-12-07T01:12:47.908209+00:00');
INSERT INTO "pacticipants" VALUES(2,'pets','2026-12-07T01:12:47.908249+00:00');
CREATE TABLE releases (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES versions(id),
    environment_id INTEGER NOT NULL REFERENCES environments(id),
    currently_supported INTEGER NOT NULL DEFAULT 1,
    released_at TEXT NOT NULL,
    support_ended_at TEXT
);
CREATE TABLE tags (
    version_id INTEGER NOT NULL REFERENCES versions(id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (version_id, name)
);
CREATE TABLE verification_results (
    id INTEGER PRIMARY KEY,
    pact_content_id INTEGER NOT NULL REFERENCES pact_contents(id),
    provider_version_id INTEGER NOT NULL REFERENCES versions(id),
    success INTEGER NOT NULL,
    build_url TEXT,
    verified_at TEXT NOT NULL,
    interactions TEXT
);
INSERT INTO "verification_results" VALUES(1,1,2,0,NULL,'2026-12-07T01:12:47.910209+00:00',NULL);
CREATE TABLE versions (
    id INTEGER PRIMARY KEY,
    pacticipant_id INTEGER NOT NULL REFERENCES pacticipants(id),
    number TEXT NOT NULL,
    branch TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (pacticipant_id, number)
);
INSERT INTO "versions" VALUES(1,1,'1.0.0','main','2026-12-07T01:12:47.908272+00:00');
INSERT INTO "versions" VALUES(2,2,'1.0.0','main','2026-12-07T01:12:47.910184+00:00');
CREATE INDEX verification_by_content
    ON verification_results (pact_content_id, provider_version_id);
CREATE INDEX deployments_current
    ON deployments (environment_id, currently_deployed);
CREATE INDEX releases_current
    ON releases (environment_id, currently_supported);
COMMIT;
PRAGMA user_version = 3;
