import Foundation
import MailscopeCore

/// Users created through Graph and their licences: what a service account with a mailbox needs
/// (some vendors still ask for one). A user gets a mailbox once a licence with Exchange is assigned.
extension SimulatedTenant {
    /// The tenant's subscriptions.
    static let skus: [(id: String, partNumber: String, units: Int, exchange: Bool)] = [
        ("4b9405b0-7788-4568-add1-99614e613b69", "EXCHANGESTANDARD", 25, true),
        ("3b555118-da6a-4418-894f-7df1e2096870", "O365_BUSINESS_ESSENTIALS", 10, true),
        ("f30db892-07e9-47e9-837c-80727f46fd3d", "FLOW_FREE", 10_000, false),
        // The licence the initial population's user mailboxes hold (Office 365 E3), with seats for the
        // largest population the tests build (50,000 users).
        (staffSkuID, "ENTERPRISEPACK", 100_000, true),
    ]

    /// The SKU id of Office 365 E3 (`ENTERPRISEPACK`), which every user mailbox of the initial
    /// population and of `addUser` holds: a licensed member, as in a real tenant.
    static let staffSkuID = "6fd2c87f-b296-42f0-b197-1e91e994b900"

    /// `GET /subscribedSkus`.
    func subscribedSkus(_ call: GraphCall) throws(GraphFailure) -> WireResponse {
        guard call.request.method == "GET" else { throw .methodNotAllowed }
        // subscribedsku-list-permissions.md: Organization.Read.All (least), Directory.Read.All, …
        try Self.requireScope(["Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"], call)
        try authorize(.readDirectory, call)
        var consumed: [String: Int] = [:]
        for user in directory.users.values {
            for sku in user.assignedLicenses ?? [] { consumed[sku, default: 0] += 1 }
        }
        let value: [JSONValue] = Self.skus.map { sku in
            [
                "id": .string("\(identity.tenantID)_\(sku.id)"), "skuId": .string(sku.id),
                "skuPartNumber": .string(sku.partNumber), "capabilityStatus": "Enabled",
                "consumedUnits": .number(Double(consumed[sku.id] ?? 0)),
                "prepaidUnits": ["enabled": .number(Double(sku.units)), "suspended": 0, "warning": 0],
                "servicePlans": .array(
                    sku.exchange
                        ? [["servicePlanName": "EXCHANGE_S_STANDARD", "servicePlanId": "9aaf7827-d63c-4b61-89c3-182f06f82e5c"]]
                        : [["servicePlanName": "FLOW_P2_VIRAL", "servicePlanId": "50e68c76-46c6-4674-81f9-75456511b170"]]),
            ]
        }
        return .json(200, ["@odata.context": odataContext(call, "subscribedSkus"), "value": .array(value)])
    }

    /// `POST /users`.
    func createUser(_ call: GraphCall) throws(GraphFailure) -> WireResponse {
        try authorizeUserWrite(call)
        let body = try call.body()
        guard let upn = body["userPrincipalName"]?.string, let displayName = body["displayName"]?.string,
            let nickname = body["mailNickname"]?.string, body["accountEnabled"]?.bool != nil,
            let password = body["passwordProfile"]?["password"].string
        else {
            throw .badRequest(
                "Properties accountEnabled, displayName, mailNickname, passwordProfile and userPrincipalName are required.")
        }
        let parts = upn.split(separator: "@")
        guard parts.count == 2, [identity.defaultDomain, identity.initialDomain].contains(where: { $0.equalsIgnoringCase(String(parts[1])) })
        else {
            throw .badRequest(
                "Property userPrincipalName is invalid: the domain portion must be a verified domain of the organization.")
        }
        guard password.count >= 8 else {
            throw .badRequest("The specified password does not comply with password complexity requirements.")
        }
        guard !directory.isTaken(upn), directory.user(userPrincipalName: upn) == nil, !directory.isTaken(nickname) else {
            throw .badRequest(
                "Another object with the same value for property userPrincipalName already exists.",
                code: "Request_BadRequest")
        }
        let user = DirectoryUser(
            id: newGUID(), displayName: displayName, userPrincipalName: upn, mailNickname: nickname,
            proxyAddresses: ["SMTP:\(upn)"], recipientTypeDetails: nil, accountEnabled: body["accountEnabled"]?.bool ?? true,
            distinguishedName: nil, exchangeGuid: newGUID(), createdAt: now, sequence: directory.takeSequence(),
            usageLocation: body["usageLocation"]?.string, assignedLicenses: [])
        directory.add(user)
        return entity(call, userJSON(user), context: "users/$entity", status: 201)
    }

    /// `PATCH /users/{id}` (usage location only).
    func updateUser(_ call: GraphCall, user: DirectoryUser) throws(GraphFailure) -> WireResponse {
        try authorizeUserWrite(call)
        let body = try call.body()
        var updated = user
        if let location = body["usageLocation"]?.string {
            guard location.count == 2, location.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                throw .badRequest("Invalid value specified for property 'usageLocation' of resource 'User'.")
            }
            updated.usageLocation = location.uppercased()
        }
        directory.update(updated)
        return .empty(204)
    }

    /// `POST /users/{id}/assignLicense`.
    func assignLicense(_ call: GraphCall, user: DirectoryUser) throws(GraphFailure) -> WireResponse {
        // user-assignlicense-permissions.md: LicenseAssignment.ReadWrite.All (least), User.ReadWrite.All, …
        try Self.requireScope(["LicenseAssignment.ReadWrite.All", "User.ReadWrite.All", "Directory.ReadWrite.All"], call)
        try authorizeUserWrite(call, license: true)
        let body = try call.body()
        let add = (body["addLicenses"]?.array ?? []).compactMap { $0["skuId"].string?.lowercased() }
        let remove = Set((body["removeLicenses"]?.array ?? []).compactMap { $0.string?.lowercased() })
        guard user.usageLocation != nil || add.isEmpty else {
            throw .badRequest("License cannot be assigned to a user without a usage location specified.")
        }
        var licenses = (user.assignedLicenses ?? []).filter { !remove.contains($0) }
        for skuID in add where !licenses.contains(skuID) {
            guard let sku = Self.skus.first(where: { $0.id == skuID }) else {
                throw .badRequest("License \(skuID) does not correspond to a valid company License.")
            }
            let consumed = directory.users.values.filter { ($0.assignedLicenses ?? []).contains(skuID) }.count
            guard consumed < sku.units else {
                throw .badRequest("Subscription \(sku.partNumber) has no more licenses available.", code: "Request_BadRequest")
            }
            licenses.append(skuID)
        }
        var updated = user
        updated.assignedLicenses = licenses
        directory.update(updated)
        if licenses.contains(where: { id in Self.skus.contains { $0.id == id && $0.exchange } }) {
            directory.provisionMailbox(user.id, distinguishedName: Catalog.distinguishedName(name: user.mailNickname))
        }
        return entity(call, userJSON(directory.users[user.id]), context: "users/$entity")
    }

    private func authorizeUserWrite(_ call: GraphCall, license: Bool = false) throws(GraphFailure) {
        if call.token.isAppOnly {
            let allowed: Set<String> =
                license
                ? ["LicenseAssignment.ReadWrite.All", "User.ReadWrite.All", "Directory.ReadWrite.All"]
                : ["User.ReadWrite.All", "Directory.ReadWrite.All"]
            guard !Set(call.token.roles).isDisjoint(with: allowed) else {
                throw .insufficientPrivileges
            }
        } else {
            // user-post-users-permissions.md and user-update: User.ReadWrite.All (least), Directory.ReadWrite.All.
            if !license { try Self.requireScope(["User.ReadWrite.All", "Directory.ReadWrite.All"], call) }
            guard !Set(admin.directoryRoles).isDisjoint(with: ["Global Administrator", "User Administrator"]) else {
                throw .insufficientPrivileges
            }
        }
    }
}
