import Crypto
import Foundation
import MailscopeCore

/// The XML namespaces of EWS and SOAP 1.1.
enum EWSNamespace {
    static let soap = "http://schemas.xmlsoap.org/soap/envelope/"
    static let types = "http://schemas.microsoft.com/exchange/services/2006/types"
    static let messages = "http://schemas.microsoft.com/exchange/services/2006/messages"
    static let errors = "http://schemas.microsoft.com/exchange/services/2006/errors"
}

/// An NTLM handshake between its CHALLENGE and the client's AUTHENTICATE.
struct NTLMHandshake: Sendable {
    /// The 8-byte server challenge sent.
    var serverChallenge: [UInt8]
    /// When it was sent.
    var sentAt: Date
}

/// The outcome of an EWS sign-in.
enum EWSSignIn {
    /// The account that signed in.
    case account(DirectoryUser)
    /// The 401 to answer: a challenge or a refusal.
    case refused(WireResponse)
}

/// Who calls EWS: a user signed in with a password (Exchange Server), or an app with an app-only
/// OAuth token (Exchange Online).
enum EWSCaller {
    case account(DirectoryUser)
    case app(AccessTokenClaims)

    /// The caller's own mailbox, used without `ExchangeImpersonation` (an app has none).
    var ownMailbox: DirectoryUser? {
        if case .account(let user) = self, user.recipientTypeDetails != nil { return user }
        return nil
    }
}

/// An EWS answer that ends the request early: a SOAP fault (HTTP 500).
struct EWSFault: Error {
    /// The response code, e.g. `ErrorImpersonateUserDenied`.
    var code: String
    /// `detail/e:Message`.
    var message: String
    /// `t:MessageXml` content (already XML), if any.
    var messageXML: String?
    /// `faultstring` when it differs from `message` (schema validation adds the violation).
    var faultString: String?
}

/// Exchange Server's EWS endpoint `POST /EWS/Exchange.asmx`: NTLM (NTLMv2 only) or Basic sign-in of
/// users with a password, `ExchangeImpersonation` decided by `ApplicationImpersonation` role
/// assignments under the propagated RBAC state, and the operations `GetFolder`, `ExpandDL` and
/// `ResolveNames`.
extension SimulatedTenant {
    /// `ServerVersionInfo` of Exchange Server 2019 CU12.
    static let ewsServerVersion = (major: 15, minor: 2, build: 1544, revision: 4, version: "V2017_07_11")

    /// `RequestServerVersion` values EWS accepts.
    static let ewsRequestVersions: Set<String> = [
        "Exchange2007", "Exchange2007_SP1", "Exchange2009", "Exchange2010", "Exchange2010_SP1", "Exchange2010_SP2",
        "Exchange2012", "Exchange2013", "Exchange2013_SP1", "Exchange2015", "Exchange2016", "V2015_10_05", "V2016_01_06", "V2016_04_13", "V2016_07_13",
        "V2016_10_10", "V2017_01_07", "V2017_04_14", "V2017_07_11", "V2017_10_09", "V2018_01_08",
    ]

    func ews(_ request: WireRequest, segments: [String], context: RequestContext) -> WireResponse {
        guard segments.count == 1, segments[0].equalsIgnoringCase("Exchange.asmx") else {
            return WireResponse(
                status: 404, headers: ["Content-Type": "text/html"],
                body: Data("<html><body><h2>404 - File or directory not found.</h2></body></html>".utf8))
        }
        let account: DirectoryUser
        switch signIn(request, context: context) {
        case .account(let user): account = user
        case .refused(let response): return response
        }
        guard request.method == "POST" else {
            return WireResponse(
                status: 405, headers: ["Allow": "POST", "Content-Type": "text/html"],
                body: Data("<html><body><h2>405 - HTTP verb used to access this page is not allowed.</h2></body></html>".utf8))
        }
        if ewsBusyAnswers.remaining > 0 {
            ewsBusyAnswers.remaining -= 1
            return Self.serverBusyFault(backOff: ewsBusyAnswers.backOff)
        }
        if let fault = ewsInjectedFault(context: context) { return fault }
        do throws(EWSFault) {
            return try ewsOperation(request.body, caller: .account(account))
        } catch {
            return Self.soapFault(error)
        }
    }

    // MARK: Sign-in

    /// The account that signed in, or the 401 to answer (a challenge or a refusal).
    private func signIn(_ request: WireRequest, context: RequestContext) -> EWSSignIn {
        let basicAllowed = context.options.ewsBasicAuthentication
        let host = request.header("host") ?? context.endpoints.base.host() ?? "127.0.0.1"
        let realm = host.split(separator: ":").first.map(String.init) ?? host
        let unauthorized = Self.unauthorized(offer: basicAllowed ? "NTLM, Basic realm=\"\(realm)\"" : "NTLM")
        guard let header = request.header("authorization")?.trimmingCharacters(in: .whitespaces), !header.isEmpty else {
            return .refused(unauthorized)
        }
        let parts = header.split(separator: " ", maxSplits: 1).map(String.init)
        let scheme = parts[0].lowercased()
        let credentials = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch scheme {
        case "ntlm":
            guard let token = Data(base64Encoded: credentials).map(Array.init), let type = NTLM.messageType(token) else {
                return .refused(unauthorized)
            }
            switch type {
            case 1:
                guard let negotiate = try? NTLM.parseNegotiate(token) else { return .refused(unauthorized) }
                if ntlmHandshakes.count > 1000 {
                    let cutoff = now.addingTimeInterval(-120)
                    ntlmHandshakes = ntlmHandshakes.filter { $0.value.sentAt >= cutoff }
                }
                let challenge = (0..<8).map { _ in UInt8(truncatingIfNeeded: onPremisesGenerator.next()) }
                ntlmHandshakes[request.connection] = NTLMHandshake(serverChallenge: challenge, sentAt: now)
                let message = NTLM.challenge(for: negotiate, serverChallenge: challenge, timestamp: now)
                var response = Self.unauthorized(offer: "NTLM " + Data(message).base64EncodedString())
                response.keepsConnectionOpen = true
                return .refused(response)
            case 3:
                guard let handshake = ntlmHandshakes.removeValue(forKey: request.connection),
                    let message = try? NTLM.parseAuthenticate(token),
                    let user = signInUser(name: message.user, domain: message.domain), user.accountEnabled,
                    let hash = ntHash(ofUser: user.id),
                    NTLM.verify(message, ntHash: hash, serverChallenge: handshake.serverChallenge)
                else { return .refused(unauthorized) }
                return .account(user)
            default:
                return .refused(unauthorized)
            }
        case "basic" where basicAllowed:
            guard let decoded = Data(base64Encoded: credentials).map({ String(decoding: $0, as: UTF8.self) }),
                let colon = decoded.firstIndex(of: ":")
            else { return .refused(unauthorized) }
            let name = String(decoded[..<colon])
            let password = String(decoded[decoded.index(after: colon)...])
            var user = name
            var domain = ""
            if let slash = name.firstIndex(of: "\\") {
                domain = String(name[..<slash])
                user = String(name[name.index(after: slash)...])
            }
            guard let account = signInUser(name: user, domain: domain), account.accountEnabled,
                checkPassword(password, forUser: account.id)
            else { return .refused(unauthorized) }
            return .account(account)
        default:
            return .refused(unauthorized)
        }
    }

    /// IIS's 401: an empty body and one `WWW-Authenticate` header (the methods comma-joined).
    private static func unauthorized(offer: String) -> WireResponse {
        WireResponse(status: 401, headers: ["WWW-Authenticate": offer], body: Data())
    }

    /// A throttled (`ErrorServerBusy` fault) or unavailable (503) answer drawn from the fault generator.
    private func ewsInjectedFault(context: RequestContext) -> WireResponse? {
        if faultGenerator.chance(context.options.throttleRate) {
            return Self.serverBusyFault(backOff: .seconds(max(0, context.options.retryAfterSeconds)))
        }
        if faultGenerator.chance(context.options.serverErrorRate) {
            return WireResponse(
                status: 503, headers: ["Content-Type": "text/html", "Retry-After": String(max(0, context.options.retryAfterSeconds))],
                body: Data("<html><body><h2>503 - Service Unavailable</h2></body></html>".utf8))
        }
        return nil
    }

    /// A throttled answer: the SOAP fault `ErrorServerBusy` with HTTP 500 and the back-off hint
    /// `BackOffMilliseconds` in `MessageXml` (office-developer-exchange-docs
    /// `exchange-web-services/ews-throttling-in-exchange.md`, "ErrorServerBusy": "The
    /// BackOffMilliseconds value returned with ErrorServerBusy errors indicates to the client the
    /// amount of time it should wait until it should resubmit the request"; HTTP 500 "with the
    /// ErrorServerBusy error code").
    static func serverBusyFault(backOff: Duration) -> WireResponse {
        let milliseconds = max(0, Int(backOff.timeInterval * 1000))
        return soapFault(
            EWSFault(
                code: "ErrorServerBusy", message: "The server cannot service this request right now. Try again later.",
                messageXML: "<t:Value Name=\"BackOffMilliseconds\">\(milliseconds)</t:Value>"))
    }

    // MARK: Envelope

    /// Parses the SOAP envelope, applies the impersonation header and runs the body's operation.
    func ewsOperation(_ body: Data, caller: EWSCaller) throws(EWSFault) -> WireResponse {
        let envelope: XMLNode
        switch XMLNode.parse(body) {
        case .success(let root): envelope = root
        case .failure(let failure):
            throw Self.schemaFault(failure.message, line: failure.line, position: failure.column)
        }
        guard envelope.is(EWSNamespace.soap, "Envelope") else {
            throw Self.schemaFault(
                "The root element is '\(envelope.name)' in namespace '\(envelope.namespace)'; a SOAP 1.1 Envelope ('\(EWSNamespace.soap)') is expected.",
                line: 1, position: 1)
        }
        guard let soapBody = envelope.child(EWSNamespace.soap, "Body") else {
            throw Self.schemaFault("The SOAP envelope has no Body element.", line: 1, position: 1)
        }
        let header = envelope.child(EWSNamespace.soap, "Header")
        if let version = header?.child(EWSNamespace.types, "RequestServerVersion") {
            guard let value = version.attributes["Version"] else {
                throw Self.schemaFault("The required attribute 'Version' is missing.", line: 1, position: 1)
            }
            // Exchange 2019 answers a version its schema lacks (e.g. Exchange2019) this way.
            guard Self.ewsRequestVersions.contains(value) else {
                throw EWSFault(code: "ErrorInvalidRequest", message: "The request is invalid.")
            }
        }
        let mailbox: DirectoryUser?
        if let impersonation = header?.child(EWSNamespace.types, "ExchangeImpersonation") {
            mailbox = try impersonatedMailbox(impersonation, caller: caller)
        } else {
            mailbox = caller.ownMailbox
        }
        guard let operation = soapBody.children.first else {
            throw EWSFault(code: "ErrorInvalidRequest", message: "The request is invalid. The SOAP Body has no operation.")
        }
        let (name, content): (String, String)
        switch (operation.namespace, operation.name) {
        case (EWSNamespace.messages, "GetFolder"):
            (name, content) = ("GetFolderResponse", try getFolder(operation, mailbox: mailbox))
        case (EWSNamespace.messages, "ExpandDL"):
            (name, content) = ("ExpandDLResponse", try expandDL(operation))
        case (EWSNamespace.messages, "ResolveNames"):
            (name, content) = ("ResolveNamesResponse", try resolveNames(operation))
        case (EWSNamespace.messages, _):
            throw EWSFault(
                code: "ErrorInvalidRequest",
                message:
                    "The request is invalid. The simulated Exchange Server supports GetFolder, ExpandDL and ResolveNames, not '\(operation.name)'.")
        default:
            throw Self.schemaFault(
                "The element '\(operation.name)' in namespace '\(operation.namespace)' is not an EWS operation (namespace '\(EWSNamespace.messages)').",
                line: 1, position: 1)
        }
        return Self.soapResponse(name: name, messages: content)
    }

    /// The mailbox an `ExchangeImpersonation` header names, if `account` may act as it.
    private func impersonatedMailbox(_ header: XMLNode, caller: EWSCaller) throws(EWSFault) -> DirectoryUser {
        // ConnectingSID holds exactly one non-empty PrincipalName, SID, PrimarySmtpAddress or SmtpAddress.
        guard let sid = header.child(EWSNamespace.types, "ConnectingSID") else {
            throw Self.schemaFault(
                "The element 'ExchangeImpersonation' in namespace '\(EWSNamespace.types)' has incomplete content. List of possible elements expected: 'ConnectingSID'.",
                line: 1, position: 1)
        }
        guard sid.children.count == 1, let identifier = sid.children.first, identifier.namespace == EWSNamespace.types else {
            throw Self.schemaFault(
                "The element 'ConnectingSID' in namespace '\(EWSNamespace.types)' must contain exactly one of 'PrincipalName', 'SID', 'PrimarySmtpAddress', 'SmtpAddress'.",
                line: 1, position: 1)
        }
        guard !identifier.value.isEmpty else {
            throw Self.schemaFault(
                "The '\(EWSNamespace.types):\(identifier.name)' element is invalid - The value '' is invalid according to its datatype '\(EWSNamespace.types):NonEmptyStringType' - The actual length is less than the MinLength value.",
                line: 1, position: 1)
        }
        let value = identifier.value
        let target: DirectoryUser?
        switch identifier.name {
        case "PrimarySmtpAddress":
            if case .user(let id)? = directory.owner(ofAddress: value), let user = directory.users[id] {
                if let primary = user.primarySmtpAddress, !primary.equalsIgnoringCase(value) {
                    throw EWSFault(
                        code: "ErrorNonPrimarySmtpAddress",
                        message: "The primary SMTP address must be specified when referencing a mailbox.",
                        messageXML: "<t:Value Name=\"Primary\">\(XMLText.escape(primary))</t:Value>")
                }
                target = user
            } else {
                target = nil
            }
        case "SmtpAddress":
            if case .user(let id)? = directory.owner(ofAddress: value) { target = directory.users[id] } else { target = nil }
        case "PrincipalName":
            target = directory.user(userPrincipalName: value)
        case "SID":
            // The simulated directory has no security identifiers: a well-formed SID names nobody.
            guard identifier.value.uppercased().hasPrefix("S-1-") else {
                throw EWSFault(
                    code: "ErrorInvalidExchangeImpersonationHeaderData",
                    message: "The impersonation header data is invalid. '\(identifier.value)' is not a security identifier.")
            }
            target = nil
        default:
            throw Self.schemaFault(
                "The element 'ConnectingSID' has invalid child element '\(identifier.name)'.", line: 1, position: 1)
        }
        guard let mailbox = target, mailbox.recipientTypeDetails != nil else {
            throw EWSFault(
                code: "ErrorNonExistentMailbox", message: "The SMTP address has no mailbox associated with it.",
                messageXML: "<t:Value Name=\"SmtpAddress\">\(XMLText.escape(value))</t:Value>")
        }
        guard case .account(let account) = caller else {
            guard case .app(let token) = caller, mayUseEWS(token, on: mailbox) else {
                throw Self.appAccessDenied
            }
            return mailbox
        }
        switch impersonation(by: account, of: mailbox) {
        case .allowed: return mailbox
        case .noRole:
            throw EWSFault(
                code: "ErrorImpersonationDenied",
                message: "The account does not have permission to impersonate the requested user.")
        case .outOfScope:
            throw EWSFault(
                code: "ErrorImpersonateUserDenied",
                message: "The account does not have permission to impersonate the requested user.")
        }
    }

    // MARK: GetFolder

    /// The folders `GetFolder` knows: distinguished id → (element, display name, folder class).
    static let ewsFolders: [String: (element: String, displayName: String, folderClass: String)] = [
        "calendar": ("CalendarFolder", "Calendar", "IPF.Appointment"),
        "inbox": ("Folder", "Inbox", "IPF.Note"),
        "contacts": ("ContactsFolder", "Contacts", "IPF.Contact"),
        "sentitems": ("Folder", "Sent Items", "IPF.Note"),
        "deleteditems": ("Folder", "Deleted Items", "IPF.Note"),
        "drafts": ("Folder", "Drafts", "IPF.Note"),
        "tasks": ("TasksFolder", "Tasks", "IPF.Task"),
    ]

    /// Every distinguished folder id of the schema (others fail schema validation).
    static let distinguishedFolderNames: Set<String> = [
        "calendar", "contacts", "deleteditems", "drafts", "inbox", "journal", "notes", "outbox", "sentitems", "tasks",
        "msgfolderroot", "publicfoldersroot", "root", "junkemail", "searchfolders", "voicemail", "recoverableitemsroot",
        "recoverableitemsdeletions", "recoverableitemsversions", "recoverableitemspurges", "archiveroot",
        "archivemsgfolderroot", "archivedeleteditems", "archiveinbox", "archiverecoverableitemsroot",
        "archiverecoverableitemsdeletions", "archiverecoverableitemsversions", "archiverecoverableitemspurges",
        "syncissues", "conflicts", "localfailures", "serverfailures", "recipientcache", "quickcontacts",
        "conversationhistory", "adminauditlogs", "todosearch", "mycontacts", "directory", "imcontactlist",
        "peopleconnect", "favorites",
    ]

    /// A folder's id and change key: stable per mailbox and folder, shaped like Exchange's (base64).
    static func ewsFolderID(_ user: DirectoryUser, _ folder: String) -> (id: String, changeKey: String) {
        let digest = Array(SHA256.hash(data: Data("\(user.exchangeGuid)/\(folder)".utf8)))
        // Like Exchange's ids (base64 starting "AAMkA"): a header, the mailbox GUID as text, the folder's entry id.
        let guid = Array(user.exchangeGuid.replacingOccurrences(of: "-", with: "").utf8.prefix(32))
        let id = Data([0x00, 0x03, 0x24, 0x00] + guid + [0x00, 0x2E, 0x00, 0x00, 0x00, 0x00] + digest.prefix(16) + [0x01, 0x00])
        let changeKey = Data([0x01, 0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00] + digest.suffix(8))
        return (id.base64EncodedString(), changeKey.base64EncodedString())
    }

    private func getFolder(_ operation: XMLNode, mailbox: DirectoryUser?) throws(EWSFault) -> String {
        let shape = operation.child(EWSNamespace.messages, "FolderShape")?.child(EWSNamespace.types, "BaseShape")?.value
        guard let shape, ["IdOnly", "Default", "AllProperties"].contains(shape) else {
            throw Self.schemaFault(
                "The element 'GetFolder' in namespace '\(EWSNamespace.messages)' requires FolderShape/BaseShape (IdOnly, Default or AllProperties).",
                line: 1, position: 1)
        }
        guard let ids = operation.child(EWSNamespace.messages, "FolderIds"), !ids.children.isEmpty else {
            throw Self.schemaFault(
                "The element 'GetFolder' in namespace '\(EWSNamespace.messages)' has incomplete content. List of possible elements expected: 'FolderIds'.",
                line: 1, position: 1)
        }
        var messages = ""
        for folderID in ids.children {
            messages += try getFolderMessage(folderID, shape: shape, mailbox: mailbox)
        }
        return messages
    }

    private func getFolderMessage(_ folderID: XMLNode, shape: String, mailbox: DirectoryUser?) throws(EWSFault) -> String {
        let element = "GetFolderResponseMessage"
        var owner = mailbox
        let folder: String
        if folderID.is(EWSNamespace.types, "DistinguishedFolderId") {
            let id = folderID.attributes["Id"] ?? ""
            guard Self.distinguishedFolderNames.contains(id) else {
                throw Self.schemaFault(
                    "The 'Id' attribute is invalid - The value '\(id)' is invalid according to its datatype 'http://schemas.microsoft.com/exchange/services/2006/types:DistinguishedFolderIdNameType' - The Enumeration constraint failed.",
                    line: 1, position: 1)
            }
            if let address = folderID.child(EWSNamespace.types, "Mailbox")?.child(EWSNamespace.types, "EmailAddress")?.value,
                !address.isEmpty
            {
                guard case .user(let userID)? = directory.owner(ofAddress: address), let user = directory.users[userID] else {
                    return Self.errorMessage(
                        element, code: "ErrorNonExistentMailbox", text: "The SMTP address has no mailbox associated with it.",
                        messageXML: "<t:Value Name=\"SmtpAddress\">\(XMLText.escape(address))</t:Value>", container: "Folders")
                }
                // Another mailbox's folder: its account, or a delegate with FullAccess on it.
                if !(mailbox.map { mayOpenAsDelegate(user.id, as: $0.id) } ?? false) {
                    return Self.errorMessage(
                        element, code: "ErrorAccessDenied",
                        text: "Access is denied. Check credentials and try again., The process failed to get the correct properties.",
                        container: "Folders")
                }
                owner = user
            }
            folder = id
        } else if folderID.is(EWSNamespace.types, "FolderId") {
            let id = folderID.attributes["Id"] ?? ""
            guard let mailbox, let known = Self.ewsFolders.keys.first(where: { Self.ewsFolderID(mailbox, $0).id == id }) else {
                return Self.errorMessage(element, code: "ErrorInvalidIdMalformed", text: "Id is malformed.", container: "Folders")
            }
            folder = known
        } else {
            throw Self.schemaFault(
                "The element 'FolderIds' has invalid child element '\(folderID.name)'. List of possible elements expected: 'FolderId, DistinguishedFolderId'.",
                line: 1, position: 1)
        }
        guard let owner else {
            return Self.errorMessage(
                element, code: "ErrorNonExistentMailbox",
                text: "The account that signed in has no mailbox. Use ExchangeImpersonation or name a mailbox in DistinguishedFolderId/Mailbox.",
                container: "Folders")
        }
        guard let known = Self.ewsFolders[folder] else {
            return Self.errorMessage(
                element, code: "ErrorFolderNotFound", text: "The specified folder could not be found in the store.",
                container: "Folders")
        }
        let (id, changeKey) = Self.ewsFolderID(owner, folder)
        var properties = "<t:FolderId Id=\"\(id)\" ChangeKey=\"\(changeKey)\"/>"
        if shape != "IdOnly" {
            if shape == "AllProperties" {
                let (rootID, rootKey) = Self.ewsFolderID(owner, "msgfolderroot")
                properties += "<t:ParentFolderId Id=\"\(rootID)\" ChangeKey=\"\(rootKey)\"/>"
                properties += "<t:FolderClass>\(known.folderClass)</t:FolderClass>"
            }
            properties += "<t:DisplayName>\(XMLText.escape(known.displayName))</t:DisplayName>"
            properties += "<t:TotalCount>0</t:TotalCount><t:ChildFolderCount>0</t:ChildFolderCount>"
            if known.element == "Folder" { properties += "<t:UnreadCount>0</t:UnreadCount>" }
        }
        return "<m:\(element) ResponseClass=\"Success\"><m:ResponseCode>NoError</m:ResponseCode><m:Folders>"
            + "<t:\(known.element)>\(properties)</t:\(known.element)></m:Folders></m:\(element)>"
    }

    // MARK: ExpandDL

    private func expandDL(_ operation: XMLNode) throws(EWSFault) -> String {
        let element = "ExpandDLResponseMessage"
        guard let address = operation.child(EWSNamespace.messages, "Mailbox")?.child(EWSNamespace.types, "EmailAddress")?.value
        else {
            throw Self.schemaFault(
                "The element 'ExpandDL' in namespace '\(EWSNamespace.messages)' has incomplete content. List of possible elements expected: 'Mailbox'.",
                line: 1, position: 1)
        }
        let key = Self.strippingRoutingType(address)
        guard case .group(let id)? = directory.owner(ofAddress: key), let group = directory.groups[id],
            group.kind == .distribution || group.kind == .mailEnabledSecurity
        else {
            return Self.errorMessage(element, code: "ErrorNameResolutionNoResults", text: "No results were found.")
        }
        // Live membership: ExpandDL reads the directory, not the RBAC propagation state.
        let members = (rbac.memberships[group.id]?.ordered ?? []).compactMap(ewsMailbox)
        return "<m:\(element) ResponseClass=\"Success\"><m:ResponseCode>NoError</m:ResponseCode>"
            + "<m:DLExpansion IndexedPagingOffset=\"\(members.count)\" TotalItemsInView=\"\(members.count)\" IncludesLastItemInRange=\"true\">"
            + members.joined() + "</m:DLExpansion></m:\(element)>"
    }

    /// `t:Mailbox` of a recipient (users and rooms `Mailbox`, distribution groups `PublicDL`), or nil
    /// when it is not a recipient.
    private func ewsMailbox(_ reference: DirectoryObjectReference) -> String? {
        let name: String
        let address: String
        let type: String
        switch reference {
        case .user(let id):
            guard let user = directory.users[id], user.recipientTypeDetails != nil, let primary = user.primarySmtpAddress else {
                return nil
            }
            (name, address, type) = (user.displayName, primary, "Mailbox")
        case .group(let id):
            guard let group = directory.groups[id], group.kind.isMailEnabled, let primary = group.primarySmtpAddress else {
                return nil
            }
            (name, address, type) = (group.displayName, primary, group.kind == .microsoft365 ? "GroupMailbox" : "PublicDL")
        }
        return "<t:Mailbox><t:Name>\(XMLText.escape(name))</t:Name><t:EmailAddress>\(XMLText.escape(address))</t:EmailAddress>"
            + "<t:RoutingType>SMTP</t:RoutingType><t:MailboxType>\(type)</t:MailboxType></t:Mailbox>"
    }

    /// `address` without a leading `SMTP:` routing type.
    static func strippingRoutingType(_ address: String) -> String {
        let trimmed = address.trimmingCharacters(in: .whitespaces)
        return trimmed.lowercased().hasPrefix("smtp:") ? String(trimmed.dropFirst(5)) : trimmed
    }

    // MARK: ResolveNames

    private func resolveNames(_ operation: XMLNode) throws(EWSFault) -> String {
        let element = "ResolveNamesResponseMessage"
        guard let full = operation.attributes["ReturnFullContactData"], ["true", "false", "1", "0"].contains(full) else {
            throw Self.schemaFault("The required attribute 'ReturnFullContactData' is missing.", line: 1, position: 1)
        }
        guard let raw = operation.child(EWSNamespace.messages, "UnresolvedEntry")?.value, !raw.isEmpty else {
            throw Self.schemaFault(
                "The element 'ResolveNames' in namespace '\(EWSNamespace.messages)' requires a non-empty 'UnresolvedEntry'.",
                line: 1, position: 1)
        }
        let entry = Self.strippingRoutingType(raw)
        let withContacts = ["true", "1"].contains(full)
        var matches: [DirectoryObjectReference] = []
        if raw.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("smtp:") {
            // office-developer-exchange-docs `web-service-reference/resolvenames-operation.md`, Remarks:
            // "Email addresses with prefixed routing types, such as smtp or sip, are saved in a
            // multivalue array. The ResolveNames operation performs a partial match against each
            // value of that array when you add the routing type at the beginning of the unresolved
            // name" — read here as a prefix match, as ambiguous name resolution does — and "returns
            // a maximum of 100 candidates … the first 100 that are encountered".
            matches = entry.isEmpty ? [] : proxyAddressPrefixMatches(entry)
        } else if !entry.isEmpty {
            if let owner = directory.owner(ofAddress: entry) {
                matches = [owner]
            } else if let user = directory.user(userPrincipalName: entry), user.recipientTypeDetails != nil {
                matches = [.user(user.id)]
            } else {
                let exact = directory.objects(nickname: entry).filter(directory.isRecipient)
                matches = exact.isEmpty ? ambiguousNameResolution(entry) : exact
            }
        }
        let resolutions = matches.compactMap { reference in
            ewsMailbox(reference).map { "<t:Resolution>\($0)\(withContacts ? ewsContact(reference) : "")</t:Resolution>" }
        }
        guard !resolutions.isEmpty else {
            return Self.errorMessage(element, code: "ErrorNameResolutionNoResults", text: "No results were found.")
        }
        let set =
            "<m:ResolutionSet TotalItemsInView=\"\(resolutions.count)\" IncludesLastItemInRange=\"true\">"
            + resolutions.joined() + "</m:ResolutionSet>"
        // resolvenames-operation.md: "Responses that contain multiple possible entities will return a
        // ResponseClass attribute value equal to Warning" (responsecode.md:
        // ErrorNameResolutionMultipleResults, "The response code includes the matched names").
        if resolutions.count > 1 {
            return "<m:\(element) ResponseClass=\"Warning\"><m:MessageText>Multiple results were found.</m:MessageText>"
                + "<m:ResponseCode>ErrorNameResolutionMultipleResults</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>"
                + set + "</m:\(element)>"
        }
        return "<m:\(element) ResponseClass=\"Success\"><m:ResponseCode>NoError</m:ResponseCode>" + set + "</m:\(element)>"
    }

    /// Recipients (mailboxes, then mail-enabled groups, in creation order) with an SMTP proxy address
    /// that starts with `prefix`, ignoring case: `ResolveNames` with the `SMTP:` routing type. At most 100.
    private func proxyAddressPrefixMatches(_ prefix: String) -> [DirectoryObjectReference] {
        let key = prefix.lowercased()
        let matches = { (proxies: [String]) in Directory.smtpAddresses(proxies).contains { $0.lowercased().hasPrefix(key) } }
        var found: [DirectoryObjectReference] = []
        for id in directory.mailboxOrder where found.count < 100 {
            if let user = directory.users[id], matches(user.proxyAddresses) { found.append(.user(id)) }
        }
        for id in directory.groupOrder where found.count < 100 {
            if let group = directory.groups[id], group.kind.isMailEnabled, matches(group.proxyAddresses) {
                found.append(.group(id))
            }
        }
        return found
    }

    /// `t:Contact` of a directory entry, for `ReturnFullContactData="true"`: display name, SMTP
    /// addresses and `ContactSource` `ActiveDirectory`, as resolvenames-operation.md's example shows.
    /// The primary (`SMTP:`) comes first; at most three addresses, as `EmailAddressKeyType` has the
    /// keys `EmailAddress1` to `EmailAddress3` only (types.xsd).
    private func ewsContact(_ reference: DirectoryObjectReference) -> String {
        let (name, proxies): (String, [String])
        switch reference {
        case .user(let id):
            guard let user = directory.users[id] else { return "" }
            (name, proxies) = (user.displayName, user.proxyAddresses)
        case .group(let id):
            guard let group = directory.groups[id] else { return "" }
            (name, proxies) = (group.displayName, group.proxyAddresses)
        }
        let smtp = proxies.filter { $0.lowercased().hasPrefix("smtp:") }
        let ordered = smtp.filter { $0.hasPrefix("SMTP:") } + smtp.filter { !$0.hasPrefix("SMTP:") }
        let entries = ordered.prefix(3).enumerated().map { index, address in
            "<t:Entry Key=\"EmailAddress\(index + 1)\">\(XMLText.escape(address))</t:Entry>"
        }
        return "<t:Contact><t:DisplayName>\(XMLText.escape(name))</t:DisplayName>"
            + "<t:EmailAddresses>\(entries.joined())</t:EmailAddresses>"
            + "<t:ContactSource>ActiveDirectory</t:ContactSource></t:Contact>"
    }

    /// Recipients whose display name, alias or primary address starts with `prefix` (Exchange's
    /// ambiguous name resolution), at most 100.
    private func ambiguousNameResolution(_ prefix: String) -> [DirectoryObjectReference] {
        let key = prefix.lowercased()
        var found: [DirectoryObjectReference] = []
        for id in directory.mailboxOrder {
            guard let user = directory.users[id] else { continue }
            if [user.displayName, user.mailNickname, user.primarySmtpAddress ?? ""].contains(where: { $0.lowercased().hasPrefix(key) }) {
                found.append(.user(id))
            }
            if found.count >= 100 { return found }
        }
        for id in directory.groupOrder {
            guard let group = directory.groups[id], group.kind.isMailEnabled else { continue }
            if [group.displayName, group.mailNickname, group.primarySmtpAddress ?? ""].contains(where: { $0.lowercased().hasPrefix(key) }) {
                found.append(.group(id))
            }
            if found.count >= 100 { return found }
        }
        return found
    }

    // MARK: Writing

    /// A per-message error (the request as a whole succeeds with HTTP 200): `MessageText`,
    /// `ResponseCode`, `DescriptiveLinkKey` 0, optionally `MessageXml`, and an empty `container`
    /// (GetFolder's `<m:Folders/>`) when given.
    static func errorMessage(
        _ element: String, code: String, text: String, messageXML: String? = nil, container: String? = nil
    ) -> String {
        "<m:\(element) ResponseClass=\"Error\"><m:MessageText>\(XMLText.escape(text))</m:MessageText>"
            + "<m:ResponseCode>\(code)</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>"
            + (messageXML.map { "<m:MessageXml>\($0)</m:MessageXml>" } ?? "") + (container.map { "<m:\($0)/>" } ?? "")
            + "</m:\(element)>"
    }

    /// An HTTP 200 SOAP response: the `ServerVersionInfo` header and `<m:name><m:ResponseMessages>…`.
    static func soapResponse(name: String, messages: String) -> WireResponse {
        let version = ewsServerVersion
        let xml =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
            + "<s:Envelope xmlns:s=\"\(EWSNamespace.soap)\"><s:Header>"
            + "<h:ServerVersionInfo MajorVersion=\"\(version.major)\" MinorVersion=\"\(version.minor)\" MajorBuildNumber=\"\(version.build)\" MinorBuildNumber=\"\(version.revision)\" Version=\"\(version.version)\""
            + " xmlns:h=\"\(EWSNamespace.types)\" xmlns=\"\(EWSNamespace.types)\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"/>"
            + "</s:Header><s:Body xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">"
            + "<m:\(name) xmlns:m=\"\(EWSNamespace.messages)\" xmlns:t=\"\(EWSNamespace.types)\"><m:ResponseMessages>"
            + messages + "</m:ResponseMessages></m:\(name)></s:Body></s:Envelope>"
        return WireResponse(status: 200, headers: ["Content-Type": "text/xml; charset=utf-8"], body: Data(xml.utf8))
    }

    /// An HTTP 500 SOAP fault: `faultcode` `a:<code>`, `faultstring`, and `detail` with the errors
    /// namespace's `ResponseCode` and `Message` (and `t:MessageXml` when given).
    static func soapFault(_ fault: EWSFault) -> WireResponse {
        let message = XMLText.escape(fault.message)
        var detail =
            "<e:ResponseCode xmlns:e=\"\(EWSNamespace.errors)\">\(fault.code)</e:ResponseCode>"
            + "<e:Message xmlns:e=\"\(EWSNamespace.errors)\">\(message)</e:Message>"
        if let messageXML = fault.messageXML {
            detail += "<t:MessageXml xmlns:t=\"\(EWSNamespace.types)\">\(messageXML)</t:MessageXml>"
        }
        let xml =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
            + "<s:Envelope xmlns:s=\"\(EWSNamespace.soap)\"><s:Body><s:Fault>"
            + "<faultcode xmlns:a=\"\(EWSNamespace.types)\">a:\(fault.code)</faultcode>"
            + "<faultstring xml:lang=\"en-US\">\(XMLText.escape(fault.faultString ?? fault.message))</faultstring>"
            + "<detail>\(detail)</detail></s:Fault></s:Body></s:Envelope>"
        return WireResponse(status: 500, headers: ["Content-Type": "text/xml; charset=utf-8"], body: Data(xml.utf8))
    }

    /// `ErrorSchemaValidation`, with the violation, line and position in `t:MessageXml`.
    static func schemaFault(_ violation: String, line: Int, position: Int) -> EWSFault {
        EWSFault(
            code: "ErrorSchemaValidation", message: "The request failed schema validation.",
            messageXML:
                "<t:LineNumber>\(line)</t:LineNumber><t:LinePosition>\(position)</t:LinePosition><t:Violation>\(XMLText.escape(violation))</t:Violation>",
            faultString: "The request failed schema validation: \(violation)")
    }
}
