# expect: none
# why: PowerShell 7 runbook starting with `using module`, using ?? and ??= for defaults, on a managed identity with autosave disabled first.
using module Az.Accounts

#Requires -Version 7.2

param(
    [string] $SubscriptionId,
    [string] $LocationFilter
)

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null

$SubscriptionId = $SubscriptionId ?? (Get-AutomationVariable -Name 'DefaultSubscriptionId')
$LocationFilter ??= 'westeurope'
Set-AzContext -SubscriptionId $SubscriptionId | Out-Null

$vnets = Get-AzVirtualNetwork | Where-Object Location -eq $LocationFilter
foreach ($vnet in $vnets) {
    $peerings = $vnet.VirtualNetworkPeerings ?? @()
    $broken = $peerings | Where-Object PeeringState -ne 'Connected'
    foreach ($peer in $broken) {
        Write-Warning "$($vnet.Name) -> $($peer.Name): $($peer.PeeringState)"
    }
}
