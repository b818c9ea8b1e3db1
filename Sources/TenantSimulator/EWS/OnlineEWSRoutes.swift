import Foundation
import MailscopeCore

/// Exchange Online's EWS endpoint, `POST {exchange}/EWS/Exchange.asmx` with an app-only OAuth token
/// for `https://outlook.office365.com` and an `ExchangeImpersonation` header naming the mailbox
/// ("To use application permissions, you will also need to explicitly impersonate a mailbox";
/// "When using impersonation you must always use the X-AnchorMailbox request header":
/// office-developer-exchange-docs docs/exchange-web-services/how-to-authenticate-an-ews-application-by-using-oauth.md).
///
/// What it enforces, in order:
/// 1. the organisation's `EwsEnabled` and `EwsAllowedAppIDs` as EWS sees them (a list change takes
///    effect after its lag: `OrganizationEWSState`), and EWS's end on 1 Apr 2027 (office-docs-powershell
///    exchange/exchange-ps/ExchangePowerShell/Set-OrganizationConfig.md; MC1227454). A blocked request
///    is answered HTTP 403 with no SOAP body: field reports of blocked tenants (scream tests) show a
///    bare 403; Microsoft documents no body for it.
/// 2. the app's access to the impersonated mailbox: an Entra grant of `full_access_as_app` (tenant-wide,
///    which voids any scope), or a propagated RBAC for Applications assignment of `Application
///    EWS.AccessAsApp` whose scope holds the mailbox (Exchange Online's "Role Based Access Control for
///    Applications" page: the two are a union). Otherwise `ErrorAccessDenied`, "the calling account does
///    not have the rights to perform the requested action" (office-developer-exchange-docs
///    docs/web-service-reference/responsecode.md); which code RBAC for Applications answers is not
///    documented, and mailscope reads any refusal code as a refusal.
extension SimulatedTenant {
    /// The permissions that open EWS to an app: the Entra permission and the RBAC role's.
    static let ewsAppPermissions: Set<String> = ["EWS.AccessAsApp", "full_access_as_app"]

    /// The refusal of a mailbox the app may not reach.
    static let appAccessDenied = EWSFault(
        code: "ErrorAccessDenied",
        message: "Access is denied. Check credentials and try again."
    )

    func onlineEWS(_ request: WireRequest, segments: [String], context: RequestContext) -> WireResponse {
        guard segments.count == 2, segments[0].equalsIgnoringCase("EWS"),
            segments[1].equalsIgnoringCase("Exchange.asmx")
        else {
            return WireResponse(
                status: 404,
                headers: ["Content-Type": "text/html"],
                body: Data("<html><body>404</body></html>".utf8)
            )
        }
        guard request.method == "POST" else {
            return WireResponse(status: 405, headers: ["Allow": "POST"], body: Data())
        }
        let token: AccessTokenClaims
        do throws(TokenRejection) {
            token = try authenticate(request, resource: .exchange, endpoints: context.endpoints)
        } catch {
            return WireResponse(
                status: 401,
                headers: ["WWW-Authenticate": "Bearer client_id=\"\(Catalog.exchangeAppID)\", error=\"invalid_token\""],
                body: Data()
            )
        }
        guard token.isAppOnly, organizationEWS.effective(at: now).admits(appID: token.appID, at: now) else {
            return WireResponse(status: 403, headers: [:], body: Data())
        }
        do throws(EWSFault) {
            return try ewsOperation(request.body, caller: .app(token))
        } catch {
            return Self.soapFault(error)
        }
    }

    /// Whether the app of `token` may use EWS in `mailbox` now.
    func mayUseEWS(_ token: AccessTokenClaims, on mailbox: DirectoryUser) -> Bool {
        mayAccess(mailbox: mailbox, roles: token.roles, appID: token.appID, permissions: Self.ewsAppPermissions)
    }
}
