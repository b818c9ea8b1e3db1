import EWSSchemaCheck
import Foundation
import Testing

@testable import MicrosoftClients

@Suite("EWS requests against Microsoft's EWS schema")
struct EWSSchemaTests {
    /// Every request the EWS client builds, with ordinary and hostile values.
    static let requests: [(String, String)] = {
        var requests: [(String, String)] = []
        for address in ["alex@contoso.com", "o'brien&co<x>@contoso.com"] {
            requests.append(("GetFolder calendar", EWSRequest.envelope(body: EWSRequest.getFolder("calendar"))))
            requests.append(
                (
                    "GetFolder calendar impersonating \(address)",
                    EWSRequest.envelope(body: EWSRequest.getFolder("calendar"), impersonating: address)
                ))
            requests.append(("ExpandDL \(address)", EWSRequest.envelope(body: EWSRequest.expandDL(address))))
            requests.append(("ResolveNames \(address)", EWSRequest.envelope(body: EWSRequest.resolveNames(address))))
        }
        return requests
    }()

    @Test func theSchemaCompiles() {
        #expect(EWSSchema.shared.loadError == nil)
    }

    @Test(arguments: requests.indices)
    func everyRequestIsValid(_ index: Int) {
        let (name, envelope) = Self.requests[index]
        #expect(EWSSchema.shared.problems(in: envelope) == [], "\(name)")
    }

    @Test func theValidatorCatchesInvalidRequests() {
        let wrongVersion = EWSRequest.envelope(body: EWSRequest.getFolder("calendar"))
            .replacingOccurrences(of: EWSRequest.serverVersion, with: "Exchange2099")
        #expect(!EWSSchema.shared.problems(in: wrongVersion).isEmpty)
        let unknownFolder = EWSRequest.envelope(body: EWSRequest.getFolder("attic"))
        #expect(!EWSSchema.shared.problems(in: unknownFolder).isEmpty)
        let noShape = EWSRequest.envelope(
            body: "<m:GetFolder><m:FolderIds><t:DistinguishedFolderId Id=\"calendar\"/></m:FolderIds></m:GetFolder>")
        #expect(!EWSSchema.shared.problems(in: noShape).isEmpty)
        #expect(!EWSSchema.shared.problems(in: "<notsoap/>").isEmpty)
    }
}
