"""Checking each HTTP interaction of a pact against the operation it calls.

The codes and severities are swagger-mock-validator's, so its users read the
reports as they know them; docs/openapi.md lists each choice and where
pactdsl's answer differs.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from pactdsl._model import Interaction, Pact, infer_content_type, is_json_content_type
from pactdsl.openapi._document import Document, Node
from pactdsl.openapi._operations import (
    Operation,
    Parameter,
    Route,
    accept_ranges,
    any_value,
    base_paths,
    find_operation,
    media_matches,
    routes,
)
from pactdsl.openapi._result import (
    OpenAPICheckResult,
    OpenAPIDocumentError,
    OpenAPIIssue,
    Severity,
)
from pactdsl.openapi._schema import Schemas, Validator, View, coerce

__all__ = ["SEVERITY", "check_pact"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Headers HTTP itself defines: never "unknown" in a request, only "undefined" in a response.
_STANDARD_REQUEST_HEADERS = _words(
    "accept accept-charset accept-encoding accept-language authorization cache-control "
    "connection content-length content-type cookie date expect forwarded host if-match "
    "if-modified-since if-none-match if-range if-unmodified-since origin pragma range "
    "referer te upgrade user-agent via"
)
_STANDARD_RESPONSE_HEADERS = _words(
    "accept-ranges access-control-allow-origin age allow cache-control connection "
    "content-disposition content-encoding content-language content-length content-location "
    "content-range date etag expires last-modified link location pragma retry-after server "
    "set-cookie strict-transport-security transfer-encoding vary www-authenticate"
)
_RULE_SEVERITIES: tuple[tuple[str, Severity], ...] = (
    ("incompatible", "error"),
    ("wider", "warning"),
    ("undecided", "warning"),
)
# swagger-mock-validator's codes and their severities.
SEVERITY: dict[str, Severity] = {
    "request.path-or-method.unknown": "error",
    "request.query.incompatible": "error",
    "request.query.unknown": "warning",
    "request.header.incompatible": "error",
    "request.header.unknown": "warning",
    "request.content-type.incompatible": "error",
    "request.content-type.missing": "warning",
    "request.content-type.unknown": "warning",
    "request.body.incompatible": "error",
    "request.body.unknown": "warning",
    "request.accept.incompatible": "error",
    "request.accept.unknown": "warning",
    "request.authorization.missing": "error",
    # pactdsl's own: what a matching rule admits beyond the example (docs/openapi.md).
    **{
        f"request.{part}.rule-{kind}": severity
        for part in ("path", "query", "header", "body")
        for kind, severity in _RULE_SEVERITIES
    },
    "response.status.unknown": "error",
    "response.status.default": "warning",
    "response.header.incompatible": "error",
    "response.header.unknown": "error",
    "response.header.undefined": "warning",
    "response.content-type.incompatible": "error",
    "response.content-type.unknown": "warning",
    "response.body.incompatible": "error",
    "response.body.unknown": "error",
}
# OpenAPI 3 ignores header parameters of these names: other fields describe them.
_IGNORED_HEADER_PARAMS = frozenset({"accept", "content-type", "authorization"})
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _path_part(part: str | int) -> str:
    if isinstance(part, int):
        return f"[{part}]"
    if _IDENTIFIER.fullmatch(part):
        return f".{part}"
    return "['" + part.replace("\\", "\\\\").replace("'", "\\'") + "']"


@attrs.define
class _Checker:
    document: Document
    prefixes: list[str]
    issues: list[OpenAPIIssue] = attrs.Factory(list)
    schemas: dict[View, Schemas] = attrs.Factory(dict)
    table: list[Route] | None = None
    # The interaction being checked: its description, index and whether its
    # request-side errors count only as warnings (an error response).
    description: str = ""
    index: int = 0
    lenient_request: bool = False

    def validator(self, node: Node, view: View) -> Validator:
        if view not in self.schemas:
            self.schemas[view] = Schemas(view, legacy=not self.document.is_31)
        return self.schemas[view].validator(node)

    def report(self, code: str, parts: tuple[str | int, ...], where: str, message: str) -> None:
        severity = SEVERITY[code]
        if self.lenient_request and code.startswith("request.") and severity == "error":
            severity = "warning"
            message += " (only a warning: the interaction expects an error response)"
        pact_path = f"$.interactions[{self.index}]" + "".join(map(_path_part, parts))
        self.issues.append(
            OpenAPIIssue(code, severity, self.description, pact_path, where, message)
        )

    def schema_failures(
        self, code: str, parts: tuple[str | int, ...], node: Node, view: View, instance: Any
    ) -> None:
        """Report each way `instance` fails the schema at `node`."""
        for failure in self.validator(node, view).failures(instance):
            where = failure.where or node.where
            self.report(code, parts + failure.instance_path, where, failure.message)

    # -- the operation --------------------------------------------------------

    def path_values_misfit(self, operation: Operation) -> tuple[str, str] | None:
        for param in operation.parameters():
            value = operation.path_values.get(param.name)
            if param.location != "path" or value is None:
                continue
            validator = self.validator(param.schema, "request")
            failures = validator.failures(coerce(validator, (value,), param.separator))
            if failures:
                msg = (
                    f"path parameter {param.name}={value!r} of {operation.template!r} does "
                    f"not fit its schema: {failures[0].message}"
                )
                return failures[0].where or param.schema.where, msg
        return None

    def check(self, index: int, interaction: Interaction) -> None:
        self.description, self.index = interaction.description, index
        request, response = interaction.request, interaction.response
        self.lenient_request = False
        if self.table is None:
            self.table = routes(self.document)
        lookup = find_operation(
            self.document,
            self.table,
            self.prefixes,
            request.method,
            request.path,
            self.path_values_misfit,
        )
        if lookup.operation is None:
            self.report(
                "request.path-or-method.unknown",
                ("request", "path"),
                lookup.where,
                lookup.message,
            )
            return
        operation = lookup.operation
        self.lenient_request = response.status >= 400
        _RequestCheck(self, operation, interaction).run()
        self.lenient_request = False
        _ResponseCheck(self, operation, interaction).run()


def _swagger2_media_where(operation: Operation, field: str) -> str:
    """The pointer of a Swagger 2 `field` (consumes, produces): the operation's, else the root's."""
    if field in operation.node.mapping():
        return f"{operation.node.where}/{field}"
    return f"#/{field}"


def _declared_media(node: Node, operation: Operation, field: str, swagger2: bool) -> list[str]:
    if swagger2:
        own = operation.node.mapping()
        values = own[field] if field in own else node.document.root.get(field)
        return [str(v) for v in values or ()]
    return [key for key, _ in node.child("content").items()]


@attrs.define
class _RequestCheck:
    checker: _Checker
    operation: Operation
    interaction: Interaction

    def run(self) -> None:
        params = self.operation.parameters()
        self.query(params)
        self.headers(params)
        body_schema = self.body(params)
        self.accept()
        self.security()
        if any(self.interaction.request.matching_rules.values()):
            self.rules(params, body_schema)

    def rules(self, params: list[Parameter], body_schema: Node | None) -> None:
        """Report what the request's matching rules admit that the operation refuses."""
        # Loaded here: the matching engine is needed only by pacts with request rules.
        from pactdsl.openapi._rule_check import RequestRules

        judge = RequestRules(
            self.interaction,
            self.operation,
            self.checker.prefixes,
            lambda node: self.checker.validator(node, "request"),
            _IGNORED_HEADER_PARAMS,
        )
        for part, parts, finding in judge.findings(params, body_schema):
            code = f"request.{part}.rule-{finding.kind}"
            self.checker.report(code, parts, finding.where, finding.message)

    def query(self, params: list[Parameter]) -> None:
        query = self.interaction.request.query
        declared = {p.name for p in params if p.location == "query"}
        for param in params:
            if param.location != "query":
                continue
            self._parameter(param, query.get(param.name), ("request", "query", param.name))
        keys = self._security_names("query")
        for name in query:
            if name not in declared and name not in keys:
                self.checker.report(
                    "request.query.unknown",
                    ("request", "query", name),
                    self.operation.node.where,
                    f"query parameter {name!r} is not in the operation's parameters; the "
                    "provider may ignore it",
                )

    def headers(self, params: list[Parameter]) -> None:
        headers = self.interaction.request.headers
        declared = set()
        for param in params:
            lowered = param.name.lower()
            if param.location != "header" or lowered in _IGNORED_HEADER_PARAMS:
                continue
            declared.add(lowered)
            values = any_value(headers, param.name)
            self._parameter(param, values, ("request", "headers", param.name))
        keys = {k.lower() for k in self._security_names("header")}
        for name in headers:
            lowered = name.lower()
            if lowered in declared or lowered in keys or lowered in _STANDARD_REQUEST_HEADERS:
                continue
            self.checker.report(
                "request.header.unknown",
                ("request", "headers", name),
                self.operation.node.where,
                f"request header {name!r} is not in the operation's parameters",
            )

    def _parameter(
        self, param: Parameter, values: tuple[str, ...] | None, parts: tuple[str | int, ...]
    ) -> None:
        code = f"request.{'query' if param.location == 'query' else 'header'}.incompatible"
        if values is None:
            if param.required:
                self.checker.report(
                    code,
                    parts,
                    param.node.where,
                    f"required {param.location} parameter {param.name!r} is missing",
                )
            return
        validator = self.checker.validator(param.schema, "request")
        for failure in validator.failures(coerce(validator, values, param.separator)):
            self.checker.report(
                code,
                parts,
                failure.where or param.schema.where,
                f"{param.location} parameter {param.name}={','.join(values)!r}: {failure.message}",
            )

    def body(self, params: list[Parameter]) -> Node | None:
        """Check the request body; return its JSON schema's node when there is one."""
        request = self.interaction.request
        swagger2 = self.checker.document.is_swagger2
        body_param = next((p for p in params if p.location == "body"), None)
        has_form = any(p.location == "formData" for p in params)
        if swagger2:
            node = body_param.node if body_param else self.operation.node
            declared = (
                _declared_media(node, self.operation, "consumes", swagger2=True)
                if body_param or has_form
                else []
            )
            required = body_param is not None and body_param.required
            where = node.where if body_param else _swagger2_media_where(self.operation, "consumes")
        else:
            node = self.operation.node.child("requestBody").deref()
            declared = _declared_media(node, self.operation, "content", swagger2=False)
            required = node.mapping().get("required") is True
            where = node.child("content").where
        content_type = any_value(request.headers, "Content-Type")
        body = request.body
        if body is None:
            if required:
                self.checker.report(
                    "request.body.incompatible",
                    ("request", "body"),
                    node.where,
                    "the operation requires a request body, and the pact sends none",
                )
            if content_type is None:
                return None
        fits = self._content_type(content_type[0] if content_type else None, declared, where)
        if body is None or not fits:  # a body of the wrong media type: said once is enough
            return None
        media = content_type[0] if content_type else infer_content_type({}, body.content)
        if not is_json_content_type(media):
            return None
        schema = self._request_schema(node, declared, media, body_param)
        if schema is None:
            if declared:
                self.checker.report(
                    "request.body.unknown",
                    ("request", "body"),
                    where,
                    f"the operation has no schema for request bodies of type {media}",
                )
            return None
        self.checker.schema_failures(
            "request.body.incompatible", ("request", "body"), schema, "request", body.content
        )
        return schema

    def _request_schema(
        self, node: Node, declared: list[str], media: str, body_param: Parameter | None
    ) -> Node | None:
        if body_param is not None:
            return body_param.schema
        if self.checker.document.is_swagger2:
            return None
        for key in declared:
            if media_matches(media, key):
                schema = node.child("content").child(key).child("schema")
                return schema if schema.value is not None else None
        return None

    def _content_type(self, content_type: str | None, declared: list[str], where: str) -> bool:
        """Report a Content-Type the operation does not take; False when it takes another."""
        parts = ("request", "headers", "Content-Type")
        if content_type is None:
            self.checker.report(
                "request.content-type.missing",
                parts,
                where,
                "the request has a body but no Content-Type header",
            )
        elif not declared:
            self.checker.report(
                "request.content-type.unknown",
                parts,
                self.operation.node.where,
                f"Content-Type {content_type!r} sent, but the operation takes no request body",
            )
        elif not any(media_matches(content_type, d) for d in declared):
            self.checker.report(
                "request.content-type.incompatible",
                parts,
                where,
                f"Content-Type {content_type!r} is not one the operation takes: {declared}",
            )
            return False
        return True

    def accept(self) -> None:
        accept = any_value(self.interaction.request.headers, "Accept")
        if accept is None:
            return
        swagger2 = self.checker.document.is_swagger2
        produced: list[str] = []
        if swagger2:
            produced = _declared_media(self.operation.node, self.operation, "produces", True)
            where = _swagger2_media_where(self.operation, "produces")
        else:
            where = self.operation.node.child("responses").where
            for _, response in self.operation.node.child("responses").items():
                for media in _declared_media(response.deref(), self.operation, "content", False):
                    produced.append(media)
        parts = ("request", "headers", "Accept")
        ranges = accept_ranges(",".join(accept))
        if not produced:
            self.checker.report(
                "request.accept.unknown",
                parts,
                where,
                f"Accept {','.join(accept)!r} sent, but the operation declares no response "
                "media types",
            )
        elif not any(media_matches(r, p) for r in ranges for p in produced):
            self.checker.report(
                "request.accept.incompatible",
                parts,
                where,
                f"Accept {','.join(accept)!r} matches none of the operation's response media "
                f"types {sorted(set(produced))}",
            )

    def _schemes(self) -> Node:
        root = self.checker.document.node()
        if self.checker.document.is_swagger2:
            return root.child("securityDefinitions")
        return root.child("components").child("securitySchemes")

    def _requirements(self) -> Node:
        if "security" in self.operation.node.mapping():
            return self.operation.node.child("security")
        return self.checker.document.node().child("security")

    def _security_names(self, location: str) -> set[str]:
        names = set()
        for _, scheme in self._schemes().items():
            value = scheme.deref().mapping()
            if value.get("type") == "apiKey" and value.get("in") == location:
                names.add(str(value.get("name")))
        return names

    def _satisfied(self, scheme: Node) -> bool:
        if scheme.value is None:
            name = scheme.pointer.rsplit("/", 1)[-1]
            msg = f"security scheme {name!r} is required here but not defined; define it there"
            raise OpenAPIDocumentError(scheme.where, msg)
        value = scheme.deref().mapping()
        request = self.interaction.request
        authorization = (any_value(request.headers, "Authorization") or ("",))[0].lower()
        kind, name = value.get("type"), str(value.get("name", ""))
        if kind == "apiKey":
            if value.get("in") == "query":
                return name in request.query
            if value.get("in") == "cookie":
                cookies = ";".join(any_value(request.headers, "Cookie") or ())
                return any(c.strip().startswith(f"{name}=") for c in cookies.split(";"))
            return any_value(request.headers, name) is not None
        if kind == "basic" or (kind == "http" and str(value.get("scheme")).lower() == "basic"):
            return authorization.startswith("basic ")
        if kind == "http" and str(value.get("scheme")).lower() == "bearer":
            return authorization.startswith("bearer ")
        if kind == "mutualTLS":
            return True  # a property of the connection, which a pact does not record
        return bool(authorization)

    def security(self) -> None:
        requirements = self._requirements()
        alternatives = requirements.elements()
        if not alternatives:
            return
        schemes = self._schemes()
        for alternative in alternatives:
            names = [name for name, _ in alternative.items()]
            if all(self._satisfied(schemes.child(name)) for name in names):
                return
        wanted = " or ".join(
            "+".join(n for n, _ in alternative.items()) or "none" for alternative in alternatives
        )
        self.checker.report(
            "request.authorization.missing",
            ("request", "headers"),
            requirements.where,
            f"the request satisfies none of the operation's security requirements ({wanted})",
        )


@attrs.define
class _ResponseCheck:
    checker: _Checker
    operation: Operation
    interaction: Interaction

    def run(self) -> None:
        status = str(self.interaction.response.status)
        responses = self.operation.node.child("responses")
        declared = responses.mapping()
        keys = {str(k).upper(): str(k) for k in declared}
        chosen = keys.get(status) or keys.get(f"{status[0]}XX")
        if chosen is None and "DEFAULT" in keys:
            chosen = keys["DEFAULT"]
            self.checker.report(
                "response.status.default",
                ("response", "status"),
                responses.child(chosen).where,
                f"status {status} is not declared; only the `default` response describes it",
            )
        if chosen is None:
            self.checker.report(
                "response.status.unknown",
                ("response", "status"),
                responses.where,
                f"status {status} is not one of the operation's responses {sorted(keys.values())}",
            )
            return
        node = responses.child(chosen).deref()
        self.headers(node)
        self.body(node)

    def headers(self, node: Node) -> None:
        declared = {name.lower(): header for name, header in node.child("headers").items()}
        for name, values in self.interaction.response.headers.items():
            lowered = name.lower()
            parts = ("response", "headers", name)
            if lowered == "content-type":
                continue
            header = declared.get(lowered)
            if header is None:
                standard = lowered in _STANDARD_RESPONSE_HEADERS
                self.checker.report(
                    "response.header.undefined" if standard else "response.header.unknown",
                    parts,
                    node.where,
                    f"response header {name!r} is not declared for this response",
                )
                continue
            header = header.deref()
            schema = header.child("schema") if "schema" in header.mapping() else header
            validator = self.checker.validator(schema, "response")
            for failure in validator.failures(coerce(validator, tuple(values), ",")):
                self.checker.report(
                    "response.header.incompatible",
                    parts,
                    failure.where or schema.where,
                    f"response header {name}={','.join(values)!r}: {failure.message}",
                )

    def body(self, node: Node) -> None:
        response = self.interaction.response
        swagger2 = self.checker.document.is_swagger2
        declared = _declared_media(
            node, self.operation, "produces" if swagger2 else "content", swagger2
        )
        content_type = any_value(response.headers, "Content-Type")
        where = (
            _swagger2_media_where(self.operation, "produces")
            if swagger2
            else node.child("content").where
        )
        if content_type is not None:
            parts = ("response", "headers", "Content-Type")
            if not declared:
                self.checker.report(
                    "response.content-type.unknown",
                    parts,
                    node.where,
                    f"Content-Type {content_type[0]!r}, but the response declares no media types",
                )
            elif not any(media_matches(content_type[0], d) for d in declared):
                self.checker.report(
                    "response.content-type.incompatible",
                    parts,
                    where,
                    f"Content-Type {content_type[0]!r} is not one of the response's {declared}",
                )
        if response.body is None:
            return
        media = content_type[0] if content_type else infer_content_type({}, response.body.content)
        if not is_json_content_type(media):
            return
        schema = node.child("schema") if swagger2 else self._schema_for(node, declared, media)
        if schema is None or schema.value is None:
            if swagger2 or not declared:
                self.checker.report(
                    "response.body.unknown",
                    ("response", "body"),
                    node.where,
                    "the pact's response has a body, but the response declares no schema",
                )
            return
        self.checker.schema_failures(
            "response.body.incompatible",
            ("response", "body"),
            schema,
            "response",
            response.body.content,
        )

    def _schema_for(self, node: Node, declared: list[str], media: str) -> Node | None:
        accept = any_value(self.interaction.request.headers, "Accept")
        wanted = [media, *accept_ranges(",".join(accept or ())), "application/json"]
        for candidate in wanted:
            for key in declared:
                if media_matches(candidate, key) and is_json_content_type(key):
                    return node.child("content").child(key).child("schema")
        return None


def check_pact(pact: Pact, document: Document, base_path: str | None) -> OpenAPICheckResult:
    """Every HTTP interaction of `pact` checked against `document`."""
    checker = _Checker(document, base_paths(document, base_path))
    skipped = []
    for index, interaction in enumerate(pact.interactions):
        if isinstance(interaction, Interaction):
            checker.check(index, interaction)
        else:
            skipped.append(interaction.description)
    return OpenAPICheckResult(
        tuple(checker.issues),
        len(pact.interactions) - len(skipped),
        tuple(skipped),
        document.version,
    )
