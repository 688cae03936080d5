# expect: MI101 MI104 MI102 MI401
# why: Dead Run As code goes with the connection: the comment describing it, a validation of .ApplicationId, a bare $conn line, and a not-found branch in the catch whose message variable is read later by the failure mail (it is set to $null in its place).
param([string]$ReportTo = 'cloud-ops@contoso.com')

$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
Disable-AzContextAutosave -Scope Process | Out-Null
try {
    Connect-AzAccount -Identity -AccountId $IdentityClientId -ErrorAction Stop | Out-Null
}
catch {
    $ErrorMessage = $null
    Write-Error -Message $_.Exception
    throw $_.Exception
}

if ($ErrorMessage) {
    Send-MailMessage -To $ReportTo -From 'automation@contoso.com' -Subject "Runbook failed: $ErrorMessage" -SmtpServer 'smtp.contoso.com'
}
$locks = Get-AzResourceLock
Write-Output "$($locks.Count) resource locks found."
