# expect: MI101 MI103 MI102 MI401 MI104
# why: Retry loop whose login is the first sign-in (no autosave call anywhere), then the connection's SubscriptionID used for the context.
param(
    [string] $VaultName = 'kv-ops-weu-01',
    [int] $WarnDays = 21
)

Disable-AzContextAutosave -Scope Process | Out-Null
$connectionResult = Connect-AzAccount -Identity

# TODO(mimigrate): the managed identity may have access to several subscriptions; set the subscription explicitly
Set-AzContext -Subscription (Get-AzContext).Subscription.Id | Out-Null

$horizon = (Get-Date).AddDays($WarnDays)
Get-AzKeyVaultCertificate -VaultName $VaultName | ForEach-Object {
    $cert = Get-AzKeyVaultCertificate -VaultName $VaultName -Name $_.Name
    if ($cert.Expires -and $cert.Expires -lt $horizon) {
        Write-Warning ("{0} expires on {1:yyyy-MM-dd}" -f $cert.Name, $cert.Expires)
    }
}
