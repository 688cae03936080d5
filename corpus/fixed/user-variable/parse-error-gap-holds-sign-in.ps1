# expect: MI902
# why: A PowerShell 7 runbook that picks its managed identity with a ternary, a grammar gap; the unread region holds both sign-ins, so MI902 says findings there may be missed.
#Requires -Version 7.2
param(
    [string] $ClientId = '',
    [Parameter(Mandatory = $true)]
    [string] $SubscriptionId
)

Disable-AzContextAutosave -Scope Process | Out-Null
$null = $ClientId ? (Connect-AzAccount -Identity -AccountId $ClientId) : (Connect-AzAccount -Identity)
Set-AzContext -Subscription $SubscriptionId | Out-Null

Get-AzStorageAccount | ForEach-Object {
    Write-Output "$($_.StorageAccountName): minimum TLS $($_.MinimumTlsVersion)"
}
