# expect: MI101 MI902 MI102
# why: A PowerShell 7 runbook that keeps a Run As fallback behind a ternary, a grammar gap; the Run As sign-in is still found, but its rewrite touches the unread region and is withheld, and MI902 says so.
#Requires -Version 7.2
param([bool] $UseRunAs = $false)

Disable-AzContextAutosave -Scope Process | Out-Null
$conn = Get-AutomationConnection -Name 'AzureRunAsConnection'
$null = $UseRunAs ? (Connect-AzAccount -ServicePrincipal -Tenant $conn.TenantId -ApplicationId $conn.ApplicationId -CertificateThumbprint $conn.CertificateThumbprint) : (Connect-AzAccount -Identity)

Get-AzAutomationAccount | ForEach-Object {
    Write-Output "$($_.AutomationAccountName) in $($_.Location)"
}
