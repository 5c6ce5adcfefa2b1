import UsherKit

/// The OpenAPI 3.1 description of `usher serve`'s HTTP interface, served at `{url_base}/api/v1/openapi.json`
/// and used by the test suite to fuzz the running server (schemathesis, `scripts/test-api`).
enum OpenAPIDocument {
    static func json(urlBase: String) -> String {
        template
            .replacingOccurrences(of: "__VERSION__", with: UsherVersion.current)
            .replacingOccurrences(of: "__BASE__", with: urlBase.isEmpty ? "/" : urlBase)
            .replacingOccurrences(
                of: "__WEBHOOK_radarr__", with: webhook("Radarr", events: "Download, Rename, MovieFileDelete and MovieDelete of a mapped movie")
            )
            .replacingOccurrences(
                of: "__WEBHOOK_sonarr__",
                with: webhook(
                    "Sonarr", events: "Download, Rename, EpisodeFileDelete and SeriesDelete of a mapped series",
                    extra: "; Grab queues a prefetch run when prefetch and a download client are configured")
            )
            .replacingOccurrences(
                of: "__PLAYBACK_tautulli__",
                with: playback(
                    "Tautulli's Webhook agent (the README's template): play, resume, stop and watched of an episode (and, with plex.watch_sync, watched of a movie or an episode queues a watch_sync run)",
                    contentType: "application/json",
                    eventField: "event")
            )
            .replacingOccurrences(
                of: "__PLAYBACK_plex__",
                with: playback(
                    "Plex's webhook (Plex Pass; the JSON in the multipart part 'payload'): media.play, media.resume, media.stop and media.scrobble of an episode (and, with plex.watch_sync, media.scrobble of a movie or an episode queues a watch_sync run)",
                    contentType: "multipart/form-data")
            )
            .replacingOccurrences(
                of: "__PLAYBACK_jellyfin__",
                with: playback(
                    "The Jellyfin webhook plugin's generic destination (the README's template): PlaybackStart and PlaybackStop of an episode",
                    contentType: "application/json", eventField: "NotificationType"))
    }

    /// One webhook operation (POST and PUT are the same).
    static func webhook(_ service: String, events: String, extra: String = "") -> String {
        #"""
        {
          "summary": "\#(service)'s webhook: \#(events) queue a link run\#(extra); Test answers 200; other events are counted",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Webhook"}}}},
          "responses": {
            "200": {"description": "A test, or nothing to do", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WebhookAnswer"}}}},
            "202": {"description": "A run is queued", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WebhookAnswer"}}}},
            "400": {"$ref": "#/components/responses/BadRequest"},
            "401": {"$ref": "#/components/responses/Unauthorized"},
            "413": {"$ref": "#/components/responses/TooLarge"}
          }
        }
        """#
    }

    /// A playback webhook: an episode event of a viewer prefetch follows queues a prefetch run.
    static func playback(_ summary: String, contentType: String, eventField: String? = nil) -> String {
        let schema =
            if let eventField {
                #"{"type": "object", "required": ["\#(eventField)"], "properties": {"\#(eventField)": {"type": "string", "pattern": "\\S"}}}"#
            } else {
                #"{"type": "object", "required": ["payload"], "properties": {"payload": {"type": "string", "contentMediaType": "application/json"}}}"#
            }
        return #"""
            {
              "summary": "\#(summary) queues a prefetch run; other events are counted",
              "requestBody": {"required": true, "content": {"\#(contentType)": {"schema": \#(schema)}}},
              "responses": {
                "200": {"description": "Nothing to do", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WebhookAnswer"}}}},
                "202": {"description": "A prefetch run (or a watch_sync run) is queued", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WebhookAnswer"}}}},
                "400": {"$ref": "#/components/responses/BadRequest"},
                "401": {"$ref": "#/components/responses/Unauthorized"},
                "413": {"$ref": "#/components/responses/TooLarge"}
              }
            }
            """#
    }

    static let template = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "usher serve",
            "version": "__VERSION__",
            "description": "Usher's service: jobs on a schedule, webhooks from Sonarr and Radarr, runs and their reports, metrics. Every path but /ping needs the API key: the X-Api-Key header, the apikey query parameter, or the password of HTTP Basic authentication (any user name)."
          },
          "servers": [{"url": "__BASE__"}],
          "security": [{"apiKeyHeader": []}, {"apiKeyQuery": []}, {"basic": []}],
          "paths": {
            "/ping": {
              "get": {
                "summary": "Whether the server is up and can read its state (no key needed)",
                "security": [],
                "responses": {
                  "200": {"description": "Up", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ping"}}}},
                  "500": {"description": "The state database cannot be read", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ping"}}}}
                }
              }
            },
            "/metrics": {
              "get": {
                "summary": "Prometheus metrics (usher_…)",
                "responses": {
                  "200": {"description": "Metrics in Prometheus text format", "content": {"text/plain": {"schema": {"type": "string"}}}},
                  "401": {"$ref": "#/components/responses/Unauthorized"}
                }
              }
            },
            "/api/v1/openapi.json": {
              "get": {
                "summary": "This document",
                "responses": {
                  "200": {"description": "The OpenAPI document", "content": {"application/json": {"schema": {"type": "object"}}}},
                  "401": {"$ref": "#/components/responses/Unauthorized"}
                }
              }
            },
            "/api/v1/status": {
              "get": {
                "summary": "Version, each job's schedule, next and last run, links and space saved, webhook counts",
                "responses": {
                  "200": {"description": "The status", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}},
                  "401": {"$ref": "#/components/responses/Unauthorized"}
                }
              }
            },
            "/api/v1/runs": {
              "get": {
                "summary": "Runs started by the server, newest first",
                "parameters": [
                  {"name": "job", "in": "query", "required": false, "schema": {"$ref": "#/components/schemas/Job"}},
                  {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}},
                  {"name": "before", "in": "query", "required": false, "description": "Only runs with a smaller id (paging)", "schema": {"type": "integer", "minimum": 1, "maximum": 9007199254740991}}
                ],
                "responses": {
                  "200": {"description": "Runs", "content": {"application/json": {"schema": {"type": "object", "required": ["runs"], "properties": {"runs": {"type": "array", "items": {"$ref": "#/components/schemas/Run"}}}}}}},
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "401": {"$ref": "#/components/responses/Unauthorized"}
                }
              }
            },
            "/api/v1/runs/{id}": {
              "get": {
                "summary": "One run with its report (the JSON the CLI's --json prints; null until the run ends) and its log lines (what the job logged at the server's level, secrets redacted, at most 1,000; null until the run ends)",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1, "maximum": 9007199254740991}}],
                "responses": {
                  "200": {"description": "The run", "content": {"application/json": {"schema": {"type": "object", "required": ["run", "report", "log"], "properties": {"run": {"$ref": "#/components/schemas/Run"}, "report": {"type": ["object", "null"]}, "log": {"type": ["array", "null"], "items": {"type": "string"}}}}}}},
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "404": {"$ref": "#/components/responses/NotFound"}
                }
              }
            },
            "/api/v1/links": {
              "get": {
                "summary": "The links Usher made, a page at a time (ordered by show, then path), with the last link run's conflicts and errors",
                "parameters": [
                  {"name": "show", "in": "query", "required": false, "description": "Only shows whose name holds this (any case)", "schema": {"type": "string", "maxLength": 200}},
                  {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}},
                  {"name": "offset", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0, "maximum": 10000000, "default": 0}}
                ],
                "responses": {
                  "200": {"description": "A page of links", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LinkPage"}}}},
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "401": {"$ref": "#/components/responses/Unauthorized"}
                }
              }
            },
            "/api/v1/run/{job}": {
              "post": {
                "summary": "Start a job (queued behind the one running; the same job already waiting is that run)",
                "parameters": [
                  {"name": "job", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/Job"}},
                  {"name": "dry_run", "in": "query", "required": false, "schema": {"type": "string", "enum": ["true", "false", "1", "0"]}}
                ],
                "responses": {
                  "202": {"description": "Queued", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Started"}}}},
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "409": {"description": "The config lacks what this job needs", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
                }
              }
            },
            "/api/v1/webhook/radarr": {
              "post": __WEBHOOK_radarr__,
              "put": __WEBHOOK_radarr__
            },
            "/api/v1/webhook/sonarr": {
              "post": __WEBHOOK_sonarr__,
              "put": __WEBHOOK_sonarr__
            },
            "/api/v1/webhook/tautulli": {
              "post": __PLAYBACK_tautulli__,
              "put": __PLAYBACK_tautulli__
            },
            "/api/v1/webhook/plex": {
              "post": __PLAYBACK_plex__,
              "put": __PLAYBACK_plex__
            },
            "/api/v1/webhook/jellyfin": {
              "post": __PLAYBACK_jellyfin__,
              "put": __PLAYBACK_jellyfin__
            }
          },
          "components": {
            "securitySchemes": {
              "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
              "apiKeyQuery": {"type": "apiKey", "in": "query", "name": "apikey"},
              "basic": {"type": "http", "scheme": "basic", "description": "Any user name; the API key as the password (Sonarr's and Radarr's webhook settings)"}
            },
            "responses": {
              "Unauthorized": {"description": "No key, or a wrong one (no detail is given)"},
              "BadRequest": {"description": "A parameter or the body is wrong", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
              "NotFound": {"description": "No such run or job", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
              "TooLarge": {"description": "The body is over 1 MiB"}
            },
            "schemas": {
              "Job": {"type": "string", "enum": ["link", "prefetch", "match", "watch_sync"]},
              "Ping": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}},
              "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
              "Started": {"type": "object", "required": ["id", "coalesced"], "properties": {"id": {"type": "integer"}, "coalesced": {"type": "boolean", "description": "The same job was already waiting: this is its run"}}},
              "Run": {
                "type": "object",
                "required": ["id", "job", "trigger", "dry_run", "queued_at", "outcome", "counts"],
                "properties": {
                  "id": {"type": "integer"},
                  "job": {"$ref": "#/components/schemas/Job"},
                  "trigger": {"type": "string", "description": "schedule, api, webhook:radarr, webhook:sonarr"},
                  "dry_run": {"type": "boolean"},
                  "queued_at": {"type": "string", "format": "date-time"},
                  "started_at": {"type": "string", "format": "date-time"},
                  "finished_at": {"type": "string", "format": "date-time"},
                  "outcome": {"type": "string", "enum": ["queued", "running", "ok", "errors", "failed", "busy", "interrupted"]},
                  "message": {"type": "string"},
                  "counts": {"type": "object", "additionalProperties": {"type": "integer"}}
                }
              },
              "LinkPage": {
                "type": "object",
                "required": ["total", "offset", "limit", "links", "conflicts", "errors"],
                "properties": {
                  "total": {"type": "integer", "description": "Links that match the filter, on all pages"},
                  "offset": {"type": "integer"},
                  "limit": {"type": "integer"},
                  "links": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": ["target", "source", "kind", "size", "show", "mapping", "created_at", "updated_at", "pending"],
                      "properties": {
                        "target": {"type": "string"},
                        "source": {"type": "string"},
                        "kind": {"type": "string", "enum": ["hardlink", "symlink"]},
                        "size": {"type": "integer"},
                        "show": {"type": "string"},
                        "mapping": {"type": "string"},
                        "created_at": {"type": "string", "format": "date-time"},
                        "updated_at": {"type": "string", "format": "date-time"},
                        "pending": {"type": "boolean", "description": "Left by an interrupted run; the next run settles it"}
                      }
                    }
                  },
                  "last_run": {"$ref": "#/components/schemas/Run"},
                  "conflicts": {
                    "type": "array",
                    "items": {"type": "object", "required": ["target", "source", "mapping", "kind", "reason"], "properties": {"target": {"type": "string"}, "source": {"type": "string"}, "mapping": {"type": "string"}, "kind": {"type": "string"}, "reason": {"type": "string"}, "freeable_bytes": {"type": "integer"}}}
                  },
                  "errors": {
                    "type": "array",
                    "items": {"type": "object", "required": ["mapping", "reason"], "properties": {"mapping": {"type": "string"}, "target": {"type": "string"}, "reason": {"type": "string"}}}
                  }
                }
              },
              "Status": {
                "type": "object",
                "required": ["version", "started_at", "jobs", "links", "bytes_saved", "webhooks", "unauthorized", "services"],
                "properties": {
                  "version": {"type": "string"},
                  "started_at": {"type": "string", "format": "date-time"},
                  "links": {"type": "integer"},
                  "bytes_saved": {"type": "integer"},
                  "unauthorized": {"type": "integer"},
                  "jobs": {
                    "type": "object",
                    "additionalProperties": {
                      "type": "object",
                      "required": ["schedule"],
                      "properties": {
                        "schedule": {"type": "string"},
                        "next_run": {"type": "string", "format": "date-time"},
                        "running": {"type": "integer"},
                        "queued": {"type": "integer"},
                        "last_run": {"$ref": "#/components/schemas/Run"}
                      }
                    }
                  },
                  "webhooks": {
                    "type": "array",
                    "items": {"type": "object", "required": ["source", "event", "outcome", "count"], "properties": {"source": {"type": "string"}, "event": {"type": "string"}, "outcome": {"type": "string"}, "count": {"type": "integer"}}}
                  },
                  "services": {
                    "type": "array",
                    "description": "Each configured service: when it last answered and last failed since the server started (absent: not asked yet), and the steps waiting to be asked again",
                    "items": {
                      "type": "object",
                      "required": ["service", "waiting"],
                      "properties": {
                        "service": {"type": "string"},
                        "last_answer_at": {"type": "string", "format": "date-time"},
                        "last_failure_at": {"type": "string", "format": "date-time"},
                        "last_failure": {"type": "string"},
                        "waiting": {"type": "integer", "minimum": 0},
                        "waiting_reason": {"type": "string"}
                      }
                    }
                  }
                }
              },
              "Webhook": {
                "type": "object",
                "required": ["eventType"],
                "description": "The JSON Sonarr or Radarr sends (Settings → Connect → Webhook); only eventType and the movie or series are read",
                "properties": {
                  "eventType": {"type": "string", "pattern": "^[A-Za-z0-9]{1,64}$"},
                  "movie": {"type": "object", "properties": {"title": {"type": "string"}, "year": {"type": "integer"}, "tmdbId": {"type": "integer"}, "imdbId": {"type": "string"}}},
                  "series": {"type": "object", "properties": {"title": {"type": "string"}, "tvdbId": {"type": "integer"}}}
                }
              },
              "WebhookAnswer": {
                "type": "object",
                "required": ["event", "action"],
                "properties": {
                  "event": {"type": "string"},
                  "action": {"type": "string", "enum": ["queued", "ignored", "test"]},
                  "run": {"type": "integer"},
                  "reason": {"type": "string"}
                }
              }
            }
          }
        }
        """#
}
