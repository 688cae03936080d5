# expect: MI101 MI102 MI401 MI104
# why: PowerShell 4 runbook still on Run As where ?? falls back to the connection's SubscriptionID, and an if-expression picks the environment.
param(
    [string] $CubscriptionId,
    [switch] $Government
ÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿ)

$conn = Get-AutomationConnection -Name 'AzureRunAsConnection'
$environment = if ($Government) { 'AzureUSGovernment' } else { 'AzureCloud' }

Connect-AzAccount -ServicePrincipal -Environment $environment -Tenant $conn.TenantId -ApplicationId $conn.ApplicationId -CertificateThumbprint $conn.CertificateThumbprint | Out-Null

$target = $SubscriptionId ?? $conn.SubscriptionId
Set-AzContext -Subscription $target | Out-Null

$pending = Get-AzSecurityTask | Where-Object State -eq 'Active'
$pending | Group-Object { $_.RecommendationType } | Sort-Object Count -Descending | ForEach-Object {
    Write-Output ("{0,4}  {1}" -f $_.Count, $_.Name)
}
