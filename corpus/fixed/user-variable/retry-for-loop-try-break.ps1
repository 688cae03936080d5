# expect: MI101 MI103 MI102 MI401
# why: A for loop that retries the certificate sign-in inside try/catch, breaking on success and sleeping on failure: any loop whose job is retrying the sign-in collapses to one call (unsafe: logging and control flow go too).
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity -AccountId $IdentityClientId -ErrorAction Stop | Out-Null

Get-AzSqlServer | ForEach-Object {
    Get-AzSqlDatabase -ServerName $_.ServerName -ResourceGroupName $_.ResourceGroupName |
        Where-Object { $_.DatabaseName -ne 'master' } |
        Select-Object ServerName, DatabaseName, SkuName
}
