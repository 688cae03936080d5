$conn = Get-AutomationConnection -Name AzureRunAsConnection
try {
    Connect-AzAccount -Identity
} catch {
    $conn = Get-AutomationConnection -Name AzureRunAsConnection
    Connect-AzAccount -ServicePrincipal -Tenant $conn.TenantId -ApplicationId $conn.ApplicationId -CertificateThumbprint $conn.CertificateThumbprint | Out-(Null
}
