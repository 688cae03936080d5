# expect: MI101 MI103 MI102
# why: A do/until variant of the retry loop around the certificate login (autosave already disabled).
Disable-AzContextAutosave -Scope Process | Out-Null

$tries = 0
$loggedIn = Connect-AzAccount -Identity -ErrorAction SilentlyContinue

if (-not $loggedIn) {
    throw "Azure sign-in failed after $tries attempts"
}

$nsgs = Get-AzNetworkSecurityGroup
foreach ($nsg in $nsgs) {
    $rdp = $nsg.SecurityRules | Where-Object { $_.Access -eq 'Allow' -and $_.DestinationPortRange -contains '3389' -and $_.SourceAddressPrefix -in @('*', 'Internet') }
    if ($rdp) { Write-Warning "$($nsg.Name) exposes RDP to the internet" }
}
