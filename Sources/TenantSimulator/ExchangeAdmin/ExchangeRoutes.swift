import Foundation
import MailscopeCore

/// A cmdlet error, answered in Exchange's shape: `details[0].message` is `<id>|<exception type>|<text>`.
struct ExchangeFailure: Error {
    var status: Int
    var exceptionType: String
    var message: String

    static let notFoundType = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"
    static let alreadyExistsType = "Microsoft.Exchange.Management.Tasks.ADObjectAlreadyExistsException"
    static let argumentType = "Microsoft.Exchange.Configuration.Tasks.TaskArgumentException"
    static let parameterType = "System.Management.Automation.ParameterBindingException"

    static func notFound(_ identity: String) -> ExchangeFailure {
        ExchangeFailure(
            status: 404, exceptionType: notFoundType,
            message: "The operation couldn't be performed because object '\(identity)' couldn't be found on '\(Catalog.exchangeServer)'.")
    }

    static func ambiguous(_ identity: String) -> ExchangeFailure {
        ExchangeFailure(
            status: 400, exceptionType: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectAmbiguousException",
            message: "The operation couldn't be performed because '\(identity)' matches multiple entries.")
    }

    static func alreadyExists(_ message: String) -> ExchangeFailure {
        ExchangeFailure(status: 400, exceptionType: alreadyExistsType, message: message)
    }

    static func invalid(_ message: String, type: String = argumentType) -> ExchangeFailure {
        ExchangeFailure(status: 400, exceptionType: type, message: message)
    }
}

/// One cmdlet call: its canonical name and its parameters (names compared case-insensitively).
struct CmdletInvocation {
    var name: String
    var parameters: [String: JSONValue]
    /// Whether the cmdlet runs in Exchange Server's Management Shell (on-premises: role assignments
    /// to users, `ApplicationImpersonation`, `New-Mailbox -Password`) rather than in Exchange Online.
    var onPremises = false

    func value(_ parameter: String) -> JSONValue? {
        parameters.first { $0.key.equalsIgnoringCase(parameter) }?.value
    }

    /// A string parameter (numbers are accepted; a one-element array is unwrapped).
    func string(_ parameter: String) -> String? {
        guard let value = value(parameter) else { return nil }
        switch value {
        case .string(let text): return text
        case .number(let number): return number.rounded() == number ? String(Int64(number)) : String(number)
        case .array(let items) where items.count == 1: return items[0].string
        default: return nil
        }
    }

    /// The optional `Identity` of a `Get-*` cmdlet; nil when absent, `$null` or empty. Without it the
    /// cmdlet lists every object ("Required: False" on the Identity parameter; "This example returns
    /// a summary list of all service principals": office-docs-powershell
    /// `exchange/exchange-ps/exchange/Get-ServicePrincipal.md`, likewise `Get-DistributionGroup.md`
    /// and `Get-UnifiedGroup.md`), so a `$null` or empty identity answers all of them.
    var optionalIdentity: String? {
        guard let text = string("Identity"), !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return text
    }

    /// A string parameter that must be present.
    func required(_ parameter: String) throws(ExchangeFailure) -> String {
        guard let text = string(parameter), !text.isEmpty else {
            throw .invalid(
                "Cannot process command because of one or more missing mandatory parameters: \(parameter).",
                type: ExchangeFailure.parameterType)
        }
        return text
    }

    /// A multi-valued parameter.
    func strings(_ parameter: String) -> [String] {
        guard let value = value(parameter) else { return [] }
        if let text = value.string { return [text] }
        return value.strings
    }

    /// A switch or Boolean parameter.
    func bool(_ parameter: String) -> Bool? {
        guard let value = value(parameter) else { return nil }
        if let flag = value.bool { return flag }
        if let text = value.string { return ["true", "$true", "1"].contains(text.lowercased()) }
        return nil
    }
}

/// What a cmdlet returns: finished rows, or recipients rendered page by page (large groups).
enum CmdletOutput {
    case rows([JSONValue])
    case recipients([DirectoryObjectReference])
}

/// The Exchange Online admin endpoint `POST /adminapi/beta/{tenant}/InvokeCommand`.
extension SimulatedTenant {
    func exchange(_ request: WireRequest, segments: [String], context: RequestContext) -> WireResponse {
        if let fault = injectedFault(for: .exchange, context: context) { return fault }
        guard segments.count == 4, segments[0].equalsIgnoringCase("adminapi"), segments[1] == "beta",
            segments[3].equalsIgnoringCase("InvokeCommand")
        else {
            return exchangeError(404, code: "NotFound", message: "The requested resource does not exist.")
        }
        let tenant = segments[2].lowercased()
        guard [identity.tenantID, identity.defaultDomain, identity.initialDomain].contains(tenant) else {
            return exchangeError(404, code: "NotFound", message: "Tenant '\(segments[2])' was not found.")
        }
        guard request.method == "POST" else {
            return exchangeError(405, code: "MethodNotAllowed", message: "InvokeCommand accepts POST only.")
        }
        let token: AccessTokenClaims
        do throws(TokenRejection) {
            token = try authenticate(request, resource: .exchange, endpoints: context.endpoints)
        } catch {
            var response = exchangeError(401, code: "Unauthorized", message: error.message)
            response.headers["WWW-Authenticate"] = "Bearer client_id=\"\(Catalog.exchangeAppID)\", trusted_issuers=\"\", token_types=\"app_asserted_user_v1 service_asserted_app_v1\", error=\"invalid_token\""
            return response
        }
        guard let json = try? JSONValue.parse(request.body), let cmdletName = json["CmdletInput"]["CmdletName"].string else {
            return exchangeError(
                400, code: "BadRequest", message: "The request body must be {\"CmdletInput\":{\"CmdletName\":…,\"Parameters\":{…}}}.")
        }
        let parametersValue = json["CmdletInput"]["Parameters"]
        guard parametersValue.isNull || parametersValue.object != nil else {
            return exchangeError(400, code: "BadRequest", message: "CmdletInput.Parameters must be an object.")
        }
        guard let header = request.header("x-cmdletname"), header.equalsIgnoringCase(cmdletName) else {
            return exchangeError(
                400, code: "BadRequest",
                message: "The X-CmdletName header ('\(request.header("x-cmdletname") ?? "")') does not match the cmdlet in the body ('\(cmdletName)').")
        }
        if let denial = exchangeAuthorization(token, cmdlet: cmdletName) { return denial }
        guard let definition = Self.cmdlets.first(where: { $0.key.equalsIgnoringCase(cmdletName) }) else {
            return cmdletError(
                .invalid(
                    "The term '\(cmdletName)' is not recognized as a name of a cmdlet, function, script file, or executable program.",
                    type: "System.Management.Automation.CommandNotFoundException"))
        }
        let invocation = CmdletInvocation(name: definition.key, parameters: parametersValue.object ?? [:])
        let allowed = definition.value.union(["Confirm", "ErrorAction", "WarningAction", "Verbose", "Debug"])
        if let unknown = invocation.parameters.keys.first(where: { name in !allowed.contains { $0.equalsIgnoringCase(name) } }) {
            return cmdletError(
                .invalid("A parameter cannot be found that matches parameter name '\(unknown)'.", type: ExchangeFailure.parameterType))
        }
        do throws(ExchangeFailure) {
            var warnings: [String] = []
            let output = try run(invocation, token: token, context: context, warnings: &warnings)
            return try exchangePage(output, request: request, invocation: invocation, context: context, warnings: warnings)
        } catch {
            return cmdletError(error)
        }
    }

    /// Refuses callers who may not run Exchange cmdlets: a delegated admin needs Exchange Administrator
    /// or Global Administrator; an app needs `Exchange.ManageAsApp` and one of those roles on its service principal.
    private func exchangeAuthorization(_ token: AccessTokenClaims, cmdlet: String) -> WireResponse? {
        if token.isAppOnly {
            guard token.roles.contains("Exchange.ManageAsApp") else {
                return exchangeError(
                    403, code: "Forbidden",
                    message: "The application \(token.appID) is not granted the Exchange.ManageAsApp permission.")
            }
            let roles = registry.servicePrincipal(appID: token.appID)?.directoryRoles ?? []
            guard !Catalog.exchangeAdminRoles.isDisjoint(with: roles) else {
                return exchangeError(
                    403, code: "Forbidden",
                    message:
                        "The role assigned to application \(token.appID) isn't supported in this scenario. Please check online documentation for assigning correct Directory Roles to Azure AD Application for EXO App-Only Authentication."
                )
            }
        } else {
            let groups =
                admin.exchangeRoleGroups
                ?? (Catalog.exchangeAdminRoles.isDisjoint(with: admin.directoryRoles) ? [] : [Catalog.organizationManagement])
            let allowed =
                groups.contains { $0.equalsIgnoringCase(Catalog.organizationManagement) }
                || (groups.contains { $0.equalsIgnoringCase("Recipient Management") }
                    && Catalog.recipientCmdlets.contains(cmdlet.lowercased()))
            guard allowed else { return cmdletNotAllowed(cmdlet) }
        }
        return nil
    }

    /// Exchange's refusal of a cmdlet the caller's Exchange roles do not allow, although the token is
    /// valid: HTTP 401 `{"error":{"code":"Unauthorized","message":"User is not allowed to call
    /// <cmdlet>","innererror":{…,"type":"Microsoft.Exchange.Admin.OData.Core.ODataServiceException"}}}`,
    /// without a `WWW-Authenticate` challenge (the answers quoted in MicrosoftDocs/office-docs-powershell
    /// issues #7970 and #8058, an app-only and a delegated caller).
    private func cmdletNotAllowed(_ cmdlet: String) -> WireResponse {
        let message = "User is not allowed to call \(cmdlet)"
        return .json(
            401,
            [
                "error": [
                    "code": "Unauthorized", "message": .string(message),
                    "innererror": [
                        "message": .string(message), "type": "Microsoft.Exchange.Admin.OData.Core.ODataServiceException",
                    ],
                ]
            ])
    }

    private func exchangeError(_ status: Int, code: String, message: String) -> WireResponse {
        .json(status, ["error": ["code": .string(code), "message": .string(message)]])
    }

    private func cmdletError(_ failure: ExchangeFailure) -> WireResponse {
        let hex = String(Self.fingerprint(failure.exceptionType) & 0xFF_FFFF, radix: 16, uppercase: true)
        let errorID = "Ex" + String(repeating: "0", count: max(0, 6 - hex.count)) + hex
        let shortType = failure.exceptionType.split(separator: ".").last.map(String.init) ?? failure.exceptionType
        return .json(
            failure.status,
            [
                "error": [
                    "code": "InternalServerError", "message": "Error executing cmdlet",
                    "details": [
                        [
                            "code": "Client", "target": "",
                            "message": .string("\(errorID)|\(failure.exceptionType)|\(failure.message)"),
                        ]
                    ],
                    "innererror": [
                        "message": "Error executing cmdlet",
                        "type": "Microsoft.Exchange.Admin.OData.Core.ODataServiceException",
                    ],
                ]
            ], headers: ["x-ExceptionType": shortType])
    }

    /// FNV-1a, for stable short identifiers.
    static func fingerprint(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01B3
        }
        return hash
    }

    /// Pages the output: `Prefer: odata.maxpagesize` (1…1000, default 1000); the next link is re-POSTed
    /// with the same body.
    private func exchangePage(
        _ output: CmdletOutput, request: WireRequest, invocation: CmdletInvocation, context: RequestContext,
        warnings: [String]
    ) throws(ExchangeFailure) -> WireResponse {
        var size = 1000
        let prefer = (request.header("prefer") ?? "").lowercased()
        if let range = prefer.range(of: "odata.maxpagesize=") {
            let digits = prefer[range.upperBound...].prefix { $0.isNumber }
            if let value = Int(digits) { size = min(max(1, value), 1000) }
        }
        let fingerprint = Self.fingerprint(
            invocation.name.lowercased() + String(decoding: JSONValue.object(invocation.parameters).encoded(), as: UTF8.self))
        var offset = 0
        if let token = request.query["$skiptoken"] {
            let parts = token.split(separator: "-")
            guard parts.count == 2, let start = Int(parts[0]), start >= 0, UInt64(parts[1], radix: 16) == fingerprint else {
                throw .invalid("The continuation token is not valid for this request; re-POST the same body to the next link.")
            }
            offset = start
        }
        let total: Int
        switch output {
        case .rows(let rows): total = rows.count
        case .recipients(let references): total = references.count
        }
        let start = min(offset, total)
        let end = min(start + size, total)
        let value: [JSONValue]
        switch output {
        case .rows(let rows): value = Array(rows[start..<end])
        case .recipients(let references): value = references[start..<end].map(recipientRow)
        }
        let base = context.endpoints.exchange.absoluteString + "/adminapi/beta/\(identity.tenantID)"
        var body: [String: JSONValue] = [
            "@odata.context": .string("\(base)/$metadata#Collection(Exchange.GenericHashTable)"),
            "adminapi.warnings@odata.type": "#Collection(String)",
            "@adminapi.warnings": .array(warnings.map(JSONValue.string)), "value": .array(value),
        ]
        if end < total {
            let root = context.endpoints.base.absoluteString.withoutTrailingSlash
            body["@odata.nextLink"] = .string(
                "\(root)\(request.rawPath)?$skiptoken=\(end)-\(String(fingerprint, radix: 16))")
        }
        return .json(200, .object(body))
    }
}
