import Foundation
import MailscopeCore

/// Graph's mailbox routes, which enforce effective access: only app-only callers, allowed when the
/// token holds a matching tenant-wide permission or a propagated Exchange role assignment whose
/// scope contains the mailbox.
extension SimulatedTenant {
    /// The segments after `/users/{id}` that reach the mailbox.
    static let mailboxSegments: Set<String> = ["calendar", "calendars", "events", "messages", "contacts", "mailboxSettings"]

    /// The Graph permissions, any one of which allows a mailbox operation.
    enum MailboxOperation {
        case readCalendar, writeCalendar, readMail, readContacts, readSettings

        var permissions: Set<String> {
            switch self {
            case .readCalendar: ["Calendars.Read", "Calendars.ReadWrite"]
            case .writeCalendar: ["Calendars.ReadWrite"]
            case .readMail: ["Mail.Read", "Mail.ReadWrite", "Mail.ReadBasic", "Mail.ReadBasic.All"]
            case .readContacts: ["Contacts.Read", "Contacts.ReadWrite"]
            case .readSettings: ["MailboxSettings.Read", "MailboxSettings.ReadWrite"]
            }
        }
    }

    func mailbox(_ call: GraphCall, key: ODataSegment.Key, rest: [String]) throws(GraphFailure) -> WireResponse {
        let method = call.request.method
        let operation: MailboxOperation
        switch (method, rest) {
        case ("GET", ["calendar"]), ("GET", ["calendars"]), ("GET", ["calendar", "events"]), ("GET", ["events"]):
            operation = .readCalendar
        case ("POST", ["calendar", "events"]), ("POST", ["events"]):
            operation = .writeCalendar
        case ("GET", ["messages"]):
            operation = .readMail
        case ("GET", ["contacts"]):
            operation = .readContacts
        case ("GET", ["mailboxSettings"]):
            operation = .readSettings
        default:
            throw rest.count > 2 ? .unknownSegment(rest[2]) : .methodNotAllowed
        }
        // `/users/{id | userPrincipalName}` (microsoft-graph-docs-contrib
        // `api-reference/v1.0/api/user-get.md`): a user is addressed by its object id or its UPN, not
        // by an SMTP address; "If a user with the ID doesn't exist, this method returns a 404 Not
        // Found" (Request_ResourceNotFound).
        guard let user = directoryUser(key) else { throw .missingResource(Self.describe(key)) }
        guard user.recipientTypeDetails != nil else {
            throw .notFound(
                "The mailbox is either inactive, soft-deleted, or is hosted on-premise.", code: "MailboxNotEnabledForRESTAPI")
        }
        guard call.token.isAppOnly,
            mayAccess(mailbox: user, roles: call.token.roles, appID: call.token.appID, permissions: operation.permissions)
        else {
            // An Entra grant an application access policy holds back answers "Access to OData is
            // disabled." (microsoft-graph-docs-contrib concepts/auth-limit-mailbox-access.md, "Handling API errors").
            let heldBackByPolicy =
                call.token.isAppOnly && !operation.permissions.isDisjoint(with: call.token.roles)
                && !accessPolicyAllows(appID: call.token.appID, userID: user.id, in: propagatedRBAC)
            throw GraphFailure(
                status: 403, code: "ErrorAccessDenied",
                message: heldBackByPolicy
                    ? "Access to OData is disabled." : "Access is denied. Check credentials and try again.")
        }
        let owner: JSONValue = [
            "name": .string(user.displayName), "address": .string(user.primarySmtpAddress ?? user.userPrincipalName),
        ]
        let prefix = "users('\(user.id)')"
        switch (method, rest) {
        case ("GET", ["calendar"]):
            return entity(call, calendarJSON(user, owner: owner), context: "\(prefix)/calendar/$entity")
        case ("GET", ["calendars"]):
            return try page(call, items: [user], context: "\(prefix)/calendars") { self.calendarJSON($0, owner: owner) }
        case ("GET", _) where operation == .readCalendar:
            return try page(call, items: [user], context: "\(prefix)/events") { self.eventJSON($0, subject: "Weekly sync") }
        case ("POST", _):
            let body = try call.body()
            let subject = body["subject"]?.string ?? "New event"
            return entity(call, eventJSON(user, subject: subject), context: "\(prefix)/events/$entity", status: 201)
        case ("GET", ["messages"]):
            let message: [String: JSONValue] = [
                "id": .string(Self.itemID(user, "message")), "subject": "Welcome to Contoso",
                "receivedDateTime": .string(Timestamp.string(user.createdAt)),
            ]
            return try page(call, items: [message], context: "\(prefix)/messages") { $0 }
        case ("GET", ["contacts"]):
            let contact: [String: JSONValue] = [
                "id": .string(Self.itemID(user, "contact")), "displayName": "Contoso Front Desk",
                "emailAddresses": [["name": "Front Desk", "address": .string("frontdesk@\(identity.defaultDomain)")]],
            ]
            return try page(call, items: [contact], context: "\(prefix)/contacts") { $0 }
        default:
            return entity(
                call, ["timeZone": "UTC", "language": ["locale": "en-US", "displayName": "English (United States)"]],
                context: "\(prefix)/mailboxSettings")
        }
    }

    /// The user named by an Exchange identity: object id, user principal name or any SMTP address
    /// (not for Graph URLs, which take an object id or a UPN only: `directoryUser`).
    func mailboxUser(_ identity: String) -> DirectoryUser? {
        if let user = directory.users[identity.lowercased()] ?? directory.user(userPrincipalName: identity) { return user }
        if case .user(let id)? = directory.owner(ofAddress: identity) { return directory.users[id] }
        return nil
    }

    private static func itemID(_ user: DirectoryUser, _ kind: String) -> String {
        "AAMkAD" + Base64URL.encode(Data("\(kind):\(user.id)".utf8))
    }

    private func calendarJSON(_ user: DirectoryUser, owner: JSONValue) -> [String: JSONValue] {
        [
            "id": .string(Self.itemID(user, "calendar")), "name": "Calendar", "color": "auto", "isDefaultCalendar": true,
            "canEdit": true, "canShare": true, "canViewPrivateItems": true, "owner": owner,
        ]
    }

    private func eventJSON(_ user: DirectoryUser, subject: String) -> [String: JSONValue] {
        let start = now.addingTimeInterval(86_400)
        return [
            "id": .string(Self.itemID(user, "event:\(subject)")), "subject": .string(subject),
            "start": ["dateTime": .string(Timestamp.string(start)), "timeZone": "UTC"],
            "end": ["dateTime": .string(Timestamp.string(start.addingTimeInterval(1800))), "timeZone": "UTC"],
        ]
    }
}
