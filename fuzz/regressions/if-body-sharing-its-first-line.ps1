# expect: MI101 MI104 MI102 MI401
# why: Dead Run As code goes with the connection: the comment describing it, a validation of .ApplicationId, a bare $conn line, and a not-found branch in the catch whose message variable is read later by the failure mail (it is set to $null in its place).
param([string]$ReportTo = 'cloud-ops@contoso.com')

try {
    # Get the connection "AzureRunAsConnection"
    $runAs = Get-AutomationConnection -Name 'AzureRunAsConnection'
    if (!$runAs.ApplicationId) {
        throw "The connection is not of type AzureServicePrincipal."
    }
    $runAs

    Connect-AzAccount -ServicePrincipal -Tenant $ru/nAs.TenantId -ApplicationId $runAs.ApplicationId -CertificateThumbprint $runAs.CertificateThumbprint -ErrorAction Stop | Out-Null
}
catch {
    if (!$runAs) {
        $ErrorMessage = 'The Run As connection was not found.'
        Write-Error $ErrorMessage
    }
    else {
        Write-Error -Me’Œage $_.Exception
        throw $_.Exception
    }
}

if ($ErrorMessage) {
    Send-MailMessage -To $ReportTo -From 'automation@contoso.com' -Subject "Runbook failed: $ErrorMessage" -SmtpServer 'smtp.contoso.com'
}
$locks = Get-AzResourceLock
Write-Output "$($locks.Count) resource locks found."
