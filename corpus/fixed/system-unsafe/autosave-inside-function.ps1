# expect: MI401
# why: The autosave call lives inside a function, not at top level, so the managed-identity login still gets MI401.
function Initialize-Session {
    Disable-AzContextAutosave -Scope Process | Out-Null
    $ProgressPreference = 'SilentlyContinue'
}

Initialize-Session
Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity -ErrorAction Stop | Out-Null

$since = (Get-Date).AddDays(-1).ToUniversalTime()
$vaults = Get-AzRecoveryServicesVault
foreach ($vault in $vaults) {
    $jobs = Get-AzRecoveryServicesBackupJob -VaultId $vault.ID -Status Failed -From $since
    foreach ($job in $jobs) {
        Write-Warning "[$($vault.Name)] $($job.WorkloadName) backup failed: $($job.Operation)"
    }
}
