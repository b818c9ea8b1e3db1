import Foundation
import MicrosoftClients

extension Remedy {
    /// The fix when Exchange refused a cmdlet to a caller whose token it accepted (401 "User is not
    /// allowed to call <cmdlet>"; see `MicrosoftError.isCmdletRefused`), or nil for any other error.
    ///
    /// The run stops: a fresh token would be refused the same way. The fix names the Exchange role
    /// group the application-rbac page asks of the admin (Organization Management, which "has the
    /// delegating role assignment for the new Application RBAC roles":
    /// learn.microsoft.com/exchange/permissions-exo/application-rbac), and how to list the roles that
    /// allow the cmdlet (`Get-ManagementRole -Cmdlet`: learn.microsoft.com/powershell/exchange/
    /// find-exchange-cmdlet-permissions, which each cmdlet's page points to).
    static func cmdletRefusalFix(for error: MicrosoftError) -> String? {
        guard error.isCmdletRefused else { return nil }
        let cmdlet = error.request
        return "Exchange accepted the sign-in but refused \(cmdlet): the caller lacks the Exchange role that allows it "
            + "(a missing permission, not an expired token). Add the admin to the Organization Management role group "
            + "(Exchange admin center > Roles > Admin roles, or Add-RoleGroupMember 'Organization Management' -Member <admin>); "
            + "Get-ManagementRole -Cmdlet \(cmdlet) lists the roles that allow it. An automation app needs the Exchange "
            + "Administrator role in Entra. A role just activated in PIM can take a while to reach Exchange. Then run again."
    }
}
