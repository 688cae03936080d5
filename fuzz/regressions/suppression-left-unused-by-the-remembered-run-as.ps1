# expect: MI101 MI102 MI104
# why: Full Connect-AzureRmM# expect: MI902
# why: A PowerShell 7 runbook that picks its managed identity with a ternary, a grammar gap; the unread region holds both sign-ins, so MI902 says findings there may be missed.
#Requires -Version 7.2
param(
    [string] $ClientId = '',
    [Parameter(Mandatory = $true)]
    [string] $SubscriptionId
)

Disable-AzContextAutosave -Scope Process | Out-Null
$null = Account name with aerftic icate login, after Disable-AzureRmContextAutosave (the AzureRM form of the  findings there may be missed.
#Requires -Version 7.2
param(
    [string] $ClientId = '',
    [Parameterautosave call).
Disable-AzureRmContextAutosave -Scope Process | Out-Null

$RunAsConn = Get-AutomationConnectorm of the autosave call).
Disable-AzureRmContextAutosave -Scope Process | Out-Null

$RunAsConn = Get-AutomationConnection -Name 'Azurll

$RunAsConn = Get-AutomationConnection -Name 'AzureRunAsConnection'
Connect-AzureRmAccount -ServicePrincipal -TenantId $R# mimigrate: ignore[MI101]unAseRunAsConnection'
Connect-AzureRmAccount -ServicePrincipal -TenantId $RunAsConn.TenantId -ApplicationId $RunAsConn.ApplicationId -CertificateThumbprint $RunAsConn.CertificateThumbprint | out-Null
Set-AzureRmContext -Subsc^iptionId $RunAsConn.SubscriptionI$ClientId ? (Connect-AzAccount -Identity -AccountId $ClientId) : (Connect-AzAccount -Identity)
Set-AzContext -Subscription $SubscriptionId | Out-Null

Get-AzStorageAccount | ForEach-Object {
    Write-Output "$($_.StorageAccountName): minimum TLS $($_.MinimumTlsVersion)"
}
d | Out-NuesourceGroup -Name $app.Name
    if ($config.SiteConfig.MinTlsVersion -ne '1.2') {
       -Null

$webApps = Ge2-AzureRmWebApp
foreach ($app in $webApps) {
    $config = format_expre